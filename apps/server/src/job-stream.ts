import type { SSEStreamingApi } from 'hono/streaming';
import type { JobRecord } from '@infernet/db';
import type { ServerDependencies } from './context';
import type { StoredEvent } from '@infernet/db';
import { followJobEventBatches, isKeepAlive } from './job-events';
import { QueueNotices } from './queue-status';

/**
 * Streams a job's events as SSE (see `followJobEvents` for the ordering
 * guarantees), with the stored sequence number as each frame's `id:` so a
 * reader can resume with Last-Event-ID. Ends after `done` or `error`.
 */
export async function streamJobEvents(
  dependencies: Pick<
    ServerDependencies,
    'db' | 'jobEvents' | 'keepAliveMs' | 'logger' | 'livenessSeconds'
  >,
  request: { job: JobRecord; afterSequence: number; stream: SSEStreamingApi; signal: AbortSignal },
): Promise<void> {
  const { job, stream } = request;
  const queue = new QueueNotices(dependencies, job);
  const closed = new AbortController();
  stream.onAbort(() => closed.abort());
  request.signal.addEventListener('abort', () => closed.abort(), { once: true });
  const batches = followJobEventBatches(dependencies, {
    job,
    afterSequence: request.afterSequence,
    signal: closed.signal,
  });
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
    // While no node has the job: its place in the queue, again with each keep-alive.
    const place = await queue.eventFrame();
    if (place) await stream.write(place);
    for await (const batch of batches) {
      // Comments keep proxies from closing an idle stream; readers ignore them.
      if (isKeepAlive(batch)) await stream.write(`${await queue.eventFrame()}: keep-alive\n\n`);
      else {
        queue.started();
        await stream.write(batch.map(toSseFrame).join(''));
      }
    }
  } catch (error) {
    if (!closed.signal.aborted)
      dependencies.logger.warn({ err: error, jobId: job.id }, 'stream failed');
  } finally {
    // Releases the reader count even when the `job` frame could not be written.
    await batches.return();
  }
}

/**
 * One SSE frame, byte for byte as `writeSSE` writes it. JSON.stringify never emits
 * a line break, so `data` is always a single line. A token batch goes out
 * as one write instead of one per token: on a busy relay, per-write stream
 * overhead was a large share of the server's time.
 */
function toSseFrame(event: StoredEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\nid: ${event.seq}\n\n`;
}
