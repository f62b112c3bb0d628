import { isUuid, toNumber } from './column-values';
import { createEmbeddingJobQueries } from './embedding-jobs';
import { createJobLeaseQueries } from './job-leases';
import { createJobQueueQueries } from './job-queue';
import { JOB_COLUMNS, toJobRecord, type JobRow } from './job-rows';
import { createJobClaims } from './job-claims';
import { createJobCompletion } from './job-completion';
import type { JobEventAnnouncer } from './job-event-notifier';
import type { SqlClient } from './sql-client';
import type { JobQueries } from './types';

/** Each count reads the partial index on its statuses (migration 0013) instead of the whole table. */
const COUNTS_SQL = `
  SELECT
    (SELECT count(*) FROM jobs WHERE status = 'queued') AS queued,
    (SELECT count(*) FROM jobs WHERE status IN ('assigned', 'running')) AS running,
    (SELECT count(*) FROM jobs WHERE status = 'completed') AS completed,
    (SELECT count(*) FROM jobs WHERE status = 'failed') AS failed`;

export function createJobQueries(client: SqlClient, announcer: JobEventAnnouncer): JobQueries {
  const complete = createJobCompletion(client, announcer);
  return {
    ...createJobLeaseQueries(client),
    // Creating jobs, the queue bound and its deadline (job-queue.ts).
    ...createJobQueueQueries(client, announcer),
    ...createEmbeddingJobQueries(client),

    claim: createJobClaims(client),

    async findById(id) {
      if (!isUuid(id)) return null;
      const rows = await client.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? toJobRecord(rows[0]) : null;
    },

    complete,

    async counts() {
      const rows =
        await client.query<Record<'queued' | 'running' | 'completed' | 'failed', unknown>>(
          COUNTS_SQL,
        );
      const row = rows[0];
      return {
        queued: toNumber(row?.queued ?? 0),
        running: toNumber(row?.running ?? 0),
        completed: toNumber(row?.completed ?? 0),
        failed: toNumber(row?.failed ?? 0),
      };
    },
  };
}
