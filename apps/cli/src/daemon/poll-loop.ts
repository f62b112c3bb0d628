import { LONG_POLL_MAX_WAIT_SECONDS, type NodeJob } from '@infernet/protocol';
import { NotFoundError, type NodeClient } from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import { backoffDelayMs } from './backoff';
import { delay, type Clock } from './clock';
import { describeError, type Connectivity } from './connectivity';
import type { JobSlots } from './job-slots';
import { pollWithLeases } from './poll-with-leases';
import type { RunningJobs } from './running-jobs';

export interface PollLoopOptions {
  client: Pick<NodeClient, 'poll'>;
  slots: JobSlots;
  /** Carried as `active` on every poll, which renews their leases; a poll's `cancel` stops them. */
  jobs: RunningJobs;
  clock: Clock;
  logger: Logger;
  connectivity: Connectivity;
  /** Starts a claimed job without waiting for it; must take a slot synchronously. */
  startJob(job: NodeJob): void;
  onNotRegistered(): Promise<void>;
  /** Aborting it ends the loop and cancels the long poll in flight. */
  signal: AbortSignal;
  waitSeconds?: number;
  random?: () => number;
}

/**
 * A server that ignores `wait` would answer an empty poll at once; this
 * floor keeps such a poll loop from spinning.
 */
const MIN_EMPTY_POLL_MS = 1_000;

/**
 * Long-polls for jobs while slots are free, claiming as many as there are
 * free slots. Jobs run concurrently; the loop goes straight back to polling.
 * Each poll carries the running jobs, renewing their leases. Resolves when
 * `signal` aborts, which also ends the poll in flight: no job is claimed
 * after that.
 */
export async function runPollLoop(options: PollLoopOptions): Promise<void> {
  const { slots, clock, logger, connectivity, signal } = options;
  const waitSeconds = options.waitSeconds ?? LONG_POLL_MAX_WAIT_SECONDS;
  let failures = 0;
  while (!signal.aborted) {
    await slots.waitForFree(signal);
    if (signal.aborted) break;
    const startedAt = clock.now();
    try {
      const { jobs } = await pollWithLeases(options, {
        limit: slots.free,
        wait: waitSeconds,
        signal,
      });
      failures = 0;
      connectivity.succeeded();
      for (const job of jobs) options.startJob(job);
      if (jobs.length === 0 && clock.now() - startedAt < MIN_EMPTY_POLL_MS) {
        await delay(clock, MIN_EMPTY_POLL_MS, signal);
      }
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof NotFoundError && error.code === 'NODE_NOT_REGISTERED') {
        logger.warn({}, 'the control plane no longer knows this node; registering again');
        await options.onNotRegistered().catch((registerError: unknown) => {
          connectivity.failed(registerError);
        });
      } else {
        connectivity.failed(error);
        logger.debug({ error: describeError(error) }, 'poll failed');
      }
      failures += 1;
      await delay(clock, backoffDelayMs(failures, options.random), signal);
    }
  }
}
