/**
 * Counts running jobs against `maxConcurrentJobs`. The poll loop claims only
 * as many jobs as there are free slots, and waits here while all are busy.
 */
export class JobSlots {
  readonly capacity: number;
  #running = 0;
  #waiters = new Set<() => void>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get running(): number {
    return this.#running;
  }

  get free(): number {
    return Math.max(this.capacity - this.#running, 0);
  }

  /** Takes a slot even when none is free: a server that sends more than asked is still served. */
  acquire(): void {
    this.#running += 1;
  }

  release(): void {
    this.#running = Math.max(this.#running - 1, 0);
    for (const wake of [...this.#waiters]) wake();
  }

  /** Resolves once a slot is free, or when `signal` aborts. */
  waitForFree(signal?: AbortSignal): Promise<void> {
    return this.#waitUntil(() => this.free > 0, signal);
  }

  #waitUntil(condition: () => boolean, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (condition() || signal?.aborted) {
        resolve();
        return;
      }
      const finish = () => {
        this.#waiters.delete(check);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const check = () => {
        if (condition()) finish();
      };
      this.#waiters.add(check);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }
}
