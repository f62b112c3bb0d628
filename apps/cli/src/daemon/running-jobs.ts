import type { NodeJob } from '@infernet/protocol';
import { JobHandle } from './job-handle';

/**
 * The jobs this node is running, by id: what every poll reports as
 * `active`, what the lease keep-alive renews, and what a drain hands back.
 */
export class RunningJobs {
  readonly #handles = new Map<string, JobHandle>();
  readonly #addListeners = new Set<() => void>();

  get size(): number {
    return this.#handles.size;
  }

  add(job: NodeJob, claimedAt: number): JobHandle {
    const handle = new JobHandle(job, claimedAt);
    this.#handles.set(job.id, handle);
    for (const listener of [...this.#addListeners]) listener();
    return handle;
  }

  /** Calls `listener` after every `add`, so timers can wake for a new job; returns the unsubscribe. */
  onAdd(listener: () => void): () => void {
    this.#addListeners.add(listener);
    return () => this.#addListeners.delete(listener);
  }

  /** Forgets `handle`, but not a newer claim of the same job id that replaced it. */
  remove(handle: JobHandle): void {
    if (this.#handles.get(handle.id) === handle) this.#handles.delete(handle.id);
  }

  list(): JobHandle[] {
    return [...this.#handles.values()];
  }
}
