import type { SSEStreamingApi } from 'hono/streaming';
import type { JobRecord } from '@infernet/db';
import type { ServerDependencies } from './context';
import { Wakeup } from './realtime/wakeup';

const PAGE_SIZE = 500;
const TERMINAL_EVENTS = new Set(['done', 'error']);
const FINISHED_STATUSES = new Set(['completed', 'failed', 'cancelled']);

/**
 * Streams a job's events as SSE. The reader subscribes before reading, then
 * back-fills by sequence number, so an event stored while it connects is
 * either in the back-fill or wakes it — never lost, never sent twice (the
 * sequence cursor only moves forward). Ends after `done` or `error`.
 */
export async function streamJobEvents(
  dependencies: Pick<ServerDependencies, 'db' | 'jobEvents' | 'keepAliveMs' | 'logger'>,
  request: { job: JobRecord; afterSequence: number; stream: SSEStreamingApi; signal: AbortSignal },
): Promise<void> {
  const { job, stream, signal } = request;
  const wakeup = new Wakeup();
  const unsubscribe = dependencies.jobEvents.subscribe([job.id], wakeup);
  const closed = new AbortController();
  stream.onAbort(() => closed.abort());
  signal.addEventListener('abort', () => closed.abort(), { once: true });
  let cursor = request.afterSequence;
  // Counted in the database so any server copy can tell an abandoned job from a watched one.
  await dependencies.db.jobs.trackReader(job.id, 1);
  try {
    // The `job` event carries no id: it describes the job, it is not a stored event.
    await stream.writeSSE({
      event: 'job',
      data: JSON.stringify({
        id: job.id,
        status: job.status,
        model: job.model,
        created_at: job.createdAt.toISOString(),
      }),
    });
    for (;;) {
      if (closed.signal.aborted) return;
      const events = await dependencies.db.events.listAfter(job.id, cursor, PAGE_SIZE);
      for (const event of events) {
        await stream.writeSSE({
          id: String(event.seq),
          event: event.type,
          data: JSON.stringify(event.data),
        });
        cursor = event.seq;
        if (TERMINAL_EVENTS.has(event.type)) return;
      }
      if (events.length === PAGE_SIZE) continue;
      if (events.length === 0 && FINISHED_STATUSES.has(job.status)) return;
      const reason = await wakeup.wait(dependencies.keepAliveMs, closed.signal);
      if (reason === 'aborted') return;
      // Comments keep proxies from closing an idle stream; readers ignore them.
      if (reason === 'timeout') await stream.write(': keep-alive\n\n');
    }
  } catch (error) {
    if (!closed.signal.aborted)
      dependencies.logger.warn({ err: error, jobId: job.id }, 'stream failed');
  } finally {
    unsubscribe();
    await dependencies.db.jobs
      .trackReader(job.id, -1)
      .catch((error: unknown) =>
        dependencies.logger.warn({ err: error, jobId: job.id }, 'reader count'),
      );
  }
}
