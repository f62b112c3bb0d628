import type { JobRecord, StoredEvent } from '@infernet/db';
import type { ServerDependencies } from './context';
import { EventWakeup, type NextEvents } from './realtime/event-wakeup';

const PAGE_SIZE = 500;
const TERMINAL_EVENTS = new Set(['done', 'error']);
const FINISHED_STATUSES = new Set(['completed', 'failed', 'cancelled']);

/** Yielded when nothing happened for `keepAliveMs`, so a streaming caller can keep proxies awake. */
export interface KeepAlive {
  type: 'keep-alive';
}
export type FollowedEvent = StoredEvent | KeepAlive;
/** Events that were ready together, in order; never empty. */
export type FollowedBatch = readonly StoredEvent[] | KeepAlive;

/**
 * Follows a job's stored events. The reader subscribes before reading, then
 * back-fills by sequence number, so an event stored while it connects is
 * either in the back-fill or wakes it — never lost, never yielded twice (the
 * sequence cursor only moves forward). Ends after `done` or `error`, or when
 * `signal` aborts. While it runs the job counts one reader, so any server
 * copy can tell an abandoned job from a watched one; stopping the iteration
 * (`break`, `return()`) releases the count. Rows stored by this process
 * come with their wake-up and are yielded without reading them back
 * (EventWakeup); anything else is read from the database.
 */
export async function* followJobEvents(
  dependencies: Pick<ServerDependencies, 'db' | 'jobEvents' | 'keepAliveMs' | 'logger'>,
  request: { job: JobRecord; afterSequence: number; signal: AbortSignal },
): AsyncGenerator<FollowedEvent, void, undefined> {
  for await (const batch of followJobEventBatches(dependencies, request)) {
    if (isKeepAlive(batch)) {
      yield batch;
      continue;
    }
    for (const event of batch) {
      yield event;
      if (request.signal.aborted) return;
    }
  }
}

/**
 * `followJobEvents` a batch at a time: the events that were ready together
 * (a token batch a node posted, a page read back), so a writer can send
 * them to the client in one write. The last batch ends with `done` or
 * `error` when the job finished.
 */
export async function* followJobEventBatches(
  dependencies: Pick<ServerDependencies, 'db' | 'jobEvents' | 'keepAliveMs' | 'logger'>,
  request: { job: JobRecord; afterSequence: number; signal: AbortSignal },
): AsyncGenerator<FollowedBatch, void, undefined> {
  const { job, signal } = request;
  const wakeup = new EventWakeup();
  const unsubscribe = dependencies.jobEvents.subscribe([job.id], wakeup);
  let cursor = request.afterSequence;
  let counted = false;
  let next: NextEvents = { source: 'database' };
  let firstRead = true;
  try {
    for (;;) {
      if (signal.aborted) return;
      // The first read also counts this reader (one round trip for both).
      const events =
        next.source === 'memory'
          ? next.events
          : await dependencies.db.events.listAfter(job.id, cursor, PAGE_SIZE, {
              countReader: !counted,
            });
      counted = true;
      const terminal = events.findIndex((event) => TERMINAL_EVENTS.has(event.type));
      const batch = terminal === -1 ? events : events.slice(0, terminal + 1);
      if (batch.length > 0) {
        // The job is over once its terminal event is out: only unfinished jobs can be
        // abandoned, so its reader count no longer matters and costs no write to release.
        if (terminal !== -1) counted = false;
        yield batch;
        cursor = batch[batch.length - 1]!.seq;
        if (terminal !== -1 || signal.aborted) return;
      }
      if (next.source === 'database' && events.length === PAGE_SIZE) continue;
      if (firstRead && events.length === 0 && FINISHED_STATUSES.has(job.status)) return;
      firstRead = false;
      const reason = await wakeup.wait(dependencies.keepAliveMs, signal);
      if (reason === 'aborted') return;
      if (reason === 'timeout') {
        yield { type: 'keep-alive' };
        // A quiet stream re-reads now and then, whatever it was told.
        next = { source: 'database' };
      } else {
        next = wakeup.take(cursor);
      }
    }
  } finally {
    unsubscribe();
    if (counted) {
      await dependencies.db.jobs
        .trackReader(job.id, -1)
        .catch((error: unknown) =>
          dependencies.logger.warn({ err: error, jobId: job.id }, 'reader count'),
        );
    }
  }
}

export function isKeepAlive(event: FollowedEvent | FollowedBatch): event is KeepAlive {
  return !Array.isArray(event) && (event as FollowedEvent).type === 'keep-alive';
}
