import type { JobRecord, StoredEvent } from '@infernet/db';
import type { ServerDependencies } from './context';
import { Wakeup } from './realtime/wakeup';

const PAGE_SIZE = 500;
const TERMINAL_EVENTS = new Set(['done', 'error']);
const FINISHED_STATUSES = new Set(['completed', 'failed', 'cancelled']);

/** Yielded when nothing happened for `keepAliveMs`, so a streaming caller can keep proxies awake. */
export interface KeepAlive {
  type: 'keep-alive';
}
export type FollowedEvent = StoredEvent | KeepAlive;

/**
 * Follows a job's stored events. The reader subscribes before reading, then
 * back-fills by sequence number, so an event stored while it connects is
 * either in the back-fill or wakes it — never lost, never yielded twice (the
 * sequence cursor only moves forward). Ends after `done` or `error`, or when
 * `signal` aborts. While it runs the job counts one reader, so any server
 * copy can tell an abandoned job from a watched one; stopping the iteration
 * (`break`, `return()`) releases the count.
 */
export async function* followJobEvents(
  dependencies: Pick<ServerDependencies, 'db' | 'jobEvents' | 'keepAliveMs' | 'logger'>,
  request: { job: JobRecord; afterSequence: number; signal: AbortSignal },
): AsyncGenerator<FollowedEvent, void, undefined> {
  const { job, signal } = request;
  const wakeup = new Wakeup();
  const unsubscribe = dependencies.jobEvents.subscribe([job.id], wakeup);
  let cursor = request.afterSequence;
  let counted = false;
  try {
    await dependencies.db.jobs.trackReader(job.id, 1);
    counted = true;
    for (;;) {
      if (signal.aborted) return;
      const events = await dependencies.db.events.listAfter(job.id, cursor, PAGE_SIZE);
      for (const event of events) {
        yield event;
        cursor = event.seq;
        if (TERMINAL_EVENTS.has(event.type)) return;
        if (signal.aborted) return;
      }
      if (events.length === PAGE_SIZE) continue;
      if (events.length === 0 && FINISHED_STATUSES.has(job.status)) return;
      const reason = await wakeup.wait(dependencies.keepAliveMs, signal);
      if (reason === 'aborted') return;
      if (reason === 'timeout') yield { type: 'keep-alive' };
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

export function isKeepAlive(event: FollowedEvent): event is KeepAlive {
  return event.type === 'keep-alive';
}
