import { LONG_POLL_MAX_WAIT_SECONDS, type NodeJob } from '@infernet/protocol';
import { NotFoundError, type NodeClient } from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import { backoffDelayMs } from './backoff';
import { delay, type Clock } from './clock';
import { describeError, type Connectivity } from './connectivity';
import type { JobSlots } from './job-slots';
import { renewalIntervalMs } from './lease-keep-alive';
import { pollWithLeases } from './poll-with-leases';
import type { RunningJobs } from './running-jobs';

export interface PollLoopOptions {
  client: Pick<NodeClient, 'poll'>;
  slots: JobSlots;
  /** Jobs whose lease renewal is half due ride along as `active`; a poll's `cancel` stops them. */
  jobs: RunningJobs;
  clock: Clock;
  logger: Logger;
  connectivity: Connectivity;
  /** Starts a claimed job without waiting for it; must take a slot synchronously. */
  startJob(job: NodeJob): void;
  onNotRegistered(): Promise<void>;
  /** Aborting it ends the loop and cancels the long polls in flight. */
  signal: AbortSignal;
  waitSeconds?: number;
  /** Long polls open at once, at most; the control plane allows 8 per node key. */
  maxPolls?: number;
  /** The lease keep-alive's interval (see `renewalIntervalMs`). */
  leaseKeepAliveMs?: number | undefined;
  random?: () => number;
}

/**
 * A server that ignores `wait` would answer an empty poll at once; this
 * floor keeps such a poll loop from spinning.
 */
const MIN_EMPTY_POLL_MS = 1_000;

/**
 * One long poll already asks for every free slot while the node is idle; a
 * second and third cover slots that free up while the first is still open,
 * so a busy node never leaves a slot empty for a whole poll round trip.
 */
const DEFAULT_MAX_POLLS = 3;

/** Lets the requests of jobs just started leave before the next poll is signed. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Long-polls for jobs while slots are free, claiming as many as there are
 * free slots. Up to `maxPolls` polls are open at once, each asking only for
 * slots no other poll has asked for, so a slot that frees while a poll is
 * open is filled without waiting for that poll to return. Jobs run
 * concurrently. Running jobs ride along as `active` (renewing their leases)
 * only once their renewal is half due: event posts renew the lease of a
 * streaming job, and the lease keep-alive is the floor. Resolves when
 * `signal` aborts, which also ends the polls in flight: no job is claimed
 * after that.
 */
export async function runPollLoop(options: PollLoopOptions): Promise<void> {
  const shared: SharedPollState = { failures: 0, registering: undefined };
  const polls = Math.max(1, options.maxPolls ?? DEFAULT_MAX_POLLS);
  await Promise.all(Array.from({ length: polls }, () => pollRepeatedly(options, shared)));
}

/** What the polls of one loop share: one back-off, one re-registration at a time. */
interface SharedPollState {
  /** Failed polls in a row, whichever poll failed; the back-off grows with it. */
  failures: number;
  registering: Promise<void> | undefined;
}

/** Several polls may learn at once that the node is unknown: it registers once. */
function registerAgain(options: PollLoopOptions, shared: SharedPollState): Promise<void> {
  shared.registering ??= options.onNotRegistered().finally(() => {
    shared.registering = undefined;
  });
  return shared.registering;
}

async function pollRepeatedly(options: PollLoopOptions, shared: SharedPollState): Promise<void> {
  const { slots, clock, logger, connectivity, signal } = options;
  const waitSeconds = options.waitSeconds ?? LONG_POLL_MAX_WAIT_SECONDS;
  while (!signal.aborted) {
    await slots.waitForUnrequested(signal);
    const limit = slots.unrequested;
    if (signal.aborted) break;
    if (limit === 0) continue;
    // Held through a failure's back-off and an empty answer's pause, so
    // other polls do not pile onto a control plane that is down or idle.
    const answered = slots.request(limit);
    const startedAt = clock.now();
    try {
      const { jobs: claimed } = await pollWithLeases(options, {
        limit,
        wait: waitSeconds,
        signal,
        carry: (handle) =>
          clock.now() - handle.renewedAt >= renewalIntervalMs(handle, options.leaseKeepAliveMs) / 2,
      });
      shared.failures = 0;
      connectivity.succeeded();
      for (const job of claimed) options.startJob(job);
      if (claimed.length > 0) {
        answered();
        await yieldToIo();
      } else if (clock.now() - startedAt < MIN_EMPTY_POLL_MS) {
        await delay(clock, MIN_EMPTY_POLL_MS, signal);
      }
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof NotFoundError && error.code === 'NODE_NOT_REGISTERED') {
        logger.warn({}, 'the control plane no longer knows this node; registering again');
        await registerAgain(options, shared).catch((registerError: unknown) => {
          connectivity.failed(registerError);
        });
      } else {
        connectivity.failed(error);
        logger.debug({ error: describeError(error) }, 'poll failed');
      }
      shared.failures += 1;
      await delay(clock, backoffDelayMs(shared.failures, options.random), signal);
    } finally {
      answered();
    }
  }
}
