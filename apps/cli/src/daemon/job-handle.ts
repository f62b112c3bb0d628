import type { NodeJob } from '@infernet/protocol';

/** Why the daemon stops a job before its answer is finished. */
export type JobStop =
  /** The control plane took the job back (cancelled, re-assigned, finished): drop it, never complete it. */
  | { kind: 'withdrawn'; reason: string }
  /** The node is shutting down and the drain ran out of patience: hand the job back with `release`. */
  | { kind: 'handed-back' };

/**
 * One claimed job while this node runs it: the claim's fencing token, when
 * its lease was last renewed, and the switch that stops it. A withdrawal
 * overrides a hand-back (a job that is not ours cannot be handed back);
 * otherwise the first stop wins, so a cancel racing a drain is harmless.
 */
export class JobHandle {
  readonly job: NodeJob;
  /** When this node last sent something that renews the lease (the claim, a poll carrying it, stored events). */
  renewedAt: number;
  /**
   * The lease length as far as this node can tell: `lease_expires_at` less
   * the local time of the claim. Skewed by any clock difference, so it only
   * ever shortens the keep-alive interval; undefined when it makes no sense.
   */
  readonly leaseMs: number | undefined;
  readonly #controller = new AbortController();
  #stop: JobStop | undefined;
  #engineFreed = false;
  #onEngineFreed: (() => void) | undefined;

  constructor(job: NodeJob, claimedAt: number) {
    this.job = job;
    this.renewedAt = claimedAt;
    const expiresAt = job.lease_expires_at === null ? NaN : Date.parse(job.lease_expires_at);
    const leaseMs = expiresAt - claimedAt;
    this.leaseMs = Number.isFinite(leaseMs) && leaseMs > 0 ? leaseMs : undefined;
  }

  get id(): string {
    return this.job.id;
  }

  /** Echoed on every events, complete and release call, so the server can refuse a stale claim. */
  get fencingToken(): number {
    return this.job.fencing_token;
  }

  /** Aborts when the job is stopped, whatever the reason; the engine stream listens to it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get stop(): JobStop | undefined {
    return this.#stop;
  }

  get withdrawn(): boolean {
    return this.#stop?.kind === 'withdrawn';
  }

  withdraw(reason: string): void {
    if (this.withdrawn) return;
    this.#stop = { kind: 'withdrawn', reason };
    this.#controller.abort(this.#stop);
  }

  /**
   * Called once the engine no longer works on this job (answer finished,
   * failed or stopped); what is left is reporting it. The daemon gives the
   * job's slot back here rather than after `complete` is acknowledged, so the
   * next job can be claimed while this one is still being reported.
   */
  engineFinished(): void {
    if (this.#engineFreed) return;
    this.#engineFreed = true;
    this.#onEngineFreed?.();
  }

  /** Runs `listener` once, when the engine is done with this job (at once if it already is). */
  onEngineFinished(listener: () => void): void {
    if (this.#engineFreed) listener();
    else this.#onEngineFreed = listener;
  }

  handBack(): void {
    if (this.#stop !== undefined) return;
    this.#stop = { kind: 'handed-back' };
    this.#controller.abort(this.#stop);
  }
}
