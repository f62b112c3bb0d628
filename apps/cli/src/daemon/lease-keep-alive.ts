import { DEFAULT_LEASE_SECONDS } from '@infernet/protocol';
import type { NodeClient } from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import type { Clock, TimerHandle } from './clock';
import { describeError, type Connectivity } from './connectivity';
import type { JobHandle } from './job-handle';
import { pollWithLeases } from './poll-with-leases';
import type { RunningJobs } from './running-jobs';

/** A third of the lease: two keep-alives may fail before a lease runs out. */
export const DEFAULT_LEASE_KEEP_ALIVE_MS = (DEFAULT_LEASE_SECONDS * 1000) / 3;
/** However short a lease looks (a skewed clock), keep-alives never come faster than this. */
const MIN_LEASE_KEEP_ALIVE_MS = 500;

/**
 * How long `handle`'s lease may go unrenewed: a third of the lease, or
 * `intervalMs` when that is shorter.
 */
export function renewalIntervalMs(
  handle: Pick<JobHandle, 'leaseMs'>,
  intervalMs: number = DEFAULT_LEASE_KEEP_ALIVE_MS,
): number {
  return handle.leaseMs === undefined
    ? intervalMs
    : Math.min(intervalMs, Math.max(handle.leaseMs / 3, MIN_LEASE_KEEP_ALIVE_MS));
}

export interface LeaseKeepAliveOptions {
  client: Pick<NodeClient, 'poll'>;
  jobs: RunningJobs;
  clock: Clock;
  logger: Logger;
  connectivity: Connectivity;
  /** The longest a lease goes unrenewed; shorter for a job whose lease is shorter than 3 × this. */
  intervalMs?: number | undefined;
}

/**
 * Keeps the leases of running jobs alive while no long poll does: when a
 * running job's lease was last renewed a third of its lease ago (10 s for
 * the default 30 s lease; at most `intervalMs`) by the claim or a poll that
 * carried it, sends `poll({ limit: 0, wait: 0, active })`, which claims
 * nothing and renews every running job. That is the case while every slot
 * is busy (no long poll is sent) and while a long poll has been open for a
 * while. Posting events and heartbeats renew leases too; this is the floor
 * under them. Keep-alives never overlap.
 */
export class LeaseKeepAlive {
  readonly #options: LeaseKeepAliveOptions;
  readonly #intervalMs: number;
  #timer: TimerHandle | undefined;
  #sending = false;
  #stopped = true;
  #unsubscribe: (() => void) | undefined;

  constructor(options: LeaseKeepAliveOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? DEFAULT_LEASE_KEEP_ALIVE_MS;
  }

  start(): void {
    this.#stopped = false;
    this.#unsubscribe = this.#options.jobs.onAdd(() => this.#schedule());
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#clearTimer();
  }

  /** Wakes when the first lease is due; with nothing running, not at all until a job is added. */
  #schedule(): void {
    this.#clearTimer();
    if (this.#stopped || this.#sending) return;
    const { clock } = this.#options;
    const now = clock.now();
    const dueAt = this.#firstDueAt();
    if (dueAt === undefined) return;
    this.#timer = clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#tick();
      },
      Math.max(dueAt - now, 0),
    );
  }

  #tick(): void {
    const dueAt = this.#firstDueAt();
    if (dueAt === undefined || this.#options.clock.now() < dueAt) {
      this.#schedule();
      return;
    }
    this.#sending = true;
    void this.#send().finally(() => {
      this.#sending = false;
      this.#schedule();
    });
  }

  /** Never throws: a missed keep-alive is retried an interval later, well inside the lease. */
  async #send(): Promise<void> {
    const { connectivity, logger } = this.#options;
    try {
      await pollWithLeases(this.#options, { limit: 0, wait: 0 });
      connectivity.succeeded();
    } catch (error) {
      connectivity.failed(error);
      logger.debug({ error: describeError(error) }, 'lease keep-alive failed');
    }
  }

  #firstDueAt(): number | undefined {
    let first: number | undefined;
    for (const handle of this.#options.jobs.list()) {
      const dueAt = handle.renewedAt + renewalIntervalMs(handle, this.#intervalMs);
      if (first === undefined || dueAt < first) first = dueAt;
    }
    return first;
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
