import type { z } from 'zod';
import type { QueueStreamEventSchema } from '@infernet/protocol';
import type { JobRecord } from '@infernet/db';
import { expectedWaitSeconds } from './chat-jobs';
import type { ServerDependencies } from './context';

export type QueueStatus = z.infer<typeof QueueStreamEventSchema>;

/**
 * What a stream tells its reader while the job waits for a node: its place
 * and a rough expected wait, read afresh each time (on connect and with
 * each keep-alive) until a node takes the job or the stream shows events.
 * Costs nothing once the job left the queue.
 */
export class QueueNotices {
  private waiting: boolean;

  constructor(
    private readonly dependencies: Pick<ServerDependencies, 'db' | 'livenessSeconds'>,
    private readonly job: JobRecord,
  ) {
    this.waiting = job.status === 'queued';
  }

  /** Events arrived: a node (or the fallback) has the job, so nothing more to tell. */
  started(): void {
    this.waiting = false;
  }

  /** The job's place now, or null once it left the queue. */
  async status(): Promise<QueueStatus | null> {
    if (!this.waiting) return null;
    const { db, livenessSeconds } = this.dependencies;
    const current = await db.jobs.findById(this.job.id);
    if (current?.status !== 'queued') {
      this.waiting = false;
      return null;
    }
    const estimate = await db.jobs.queueEstimate({
      model: current.model,
      jobId: current.id,
      livenessSeconds,
    });
    const position = estimate.ahead + 1;
    return {
      position,
      expected_wait_seconds: expectedWaitSeconds(estimate, position),
      deadline_at: current.queueDeadlineAt?.toISOString() ?? null,
    };
  }

  /** A `queue` SSE frame (no `id:`, it is not stored), or '' when the job no longer waits. */
  async eventFrame(): Promise<string> {
    const status = await this.status();
    return status ? `event: queue\ndata: ${JSON.stringify(status)}\n\n` : '';
  }

  /**
   * The same as an SSE comment, for OpenAI's streams: its clients ignore
   * comments, people reading the stream with curl see them.
   */
  async commentFrame(): Promise<string> {
    const status = await this.status();
    if (!status) return '';
    const wait =
      status.expected_wait_seconds === null ? 'unknown' : `${status.expected_wait_seconds}s`;
    return `: queued position=${status.position} expected_wait=${wait} deadline=${status.deadline_at ?? 'none'}\n\n`;
  }
}
