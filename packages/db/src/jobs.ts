import { isUuid, toNumber } from './column-values';
import { createEmbeddingJobQueries } from './embedding-jobs';
import { createJobLeaseQueries } from './job-leases';
import { createJobQueueQueries } from './job-queue';
import { JOB_COLUMN_NAMES, JOB_COLUMNS, toJobRecord, type JobRow } from './job-rows';
import { createJobCompletion } from './job-completion';
import type { JobEventAnnouncer } from './job-event-notifier';
import { createLeaseToken } from './lease-tokens';
import type { SqlClient } from './sql-client';
import type { JobQueries, JobRecord } from './types';

/** Claim order is the queue order; ids break ties between jobs created in the same microsecond. */
function byQueueOrder(left: JobRecord, right: JobRecord): number {
  const difference = left.createdAt.getTime() - right.createdAt.getTime();
  if (difference !== 0) return difference;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

/*
 * One statement, so a job can never be handed to two callers: SKIP LOCKED
 * makes concurrent claimers pass over rows another claim is taking instead of
 * waiting for them, and the row lock lasts only until this statement commits.
 * Ownership then lives in columns (provider, lease, fencing token), because a
 * node holds a job across many HTTP requests, never across one transaction.
 * The candidates are a CTE (always materialised when it locks rows) rather
 * than `id IN (subquery)`, which the planner may re-evaluate and so lock more
 * than `limit` rows.
 */
/*
 * $1 provider, $2 models, $3 limit, $4 lease seconds, $5 lease token hashes
 * (one per possible row): each claimed row takes one, by its place among the
 * candidates, and returns it so the caller can pair it with its token.
 */
const CLAIM_SQL = `
  WITH candidates AS (
    SELECT id FROM jobs
    WHERE status = 'queued' AND model = ANY($2::text[])
      AND (queue_deadline_at IS NULL OR queue_deadline_at > now())
    ORDER BY created_at, id
    LIMIT $3
    FOR NO KEY UPDATE SKIP LOCKED
  ), numbered AS (
    SELECT id, row_number() OVER () AS position FROM candidates
  )
  UPDATE jobs SET
    status = 'assigned',
    provider_id = $1,
    fencing_token = fencing_token + 1,
    attempts = attempts + 1,
    lease_expires_at = now() + make_interval(secs => $4),
    lease_token_hash = ($5::text[])[numbered.position],
    last_event_batch = 0,
    assigned_at = now(),
    updated_at = now()
  FROM numbered
  WHERE jobs.id = numbered.id
  RETURNING ${JOB_COLUMN_NAMES.map((column) => `jobs.${column}`).join(', ')}, jobs.lease_token_hash`;

const COUNTS_SQL = `
  SELECT
    count(*) FILTER (WHERE status = 'queued') AS queued,
    count(*) FILTER (WHERE status IN ('assigned', 'running')) AS running,
    count(*) FILTER (WHERE status = 'completed') AS completed,
    count(*) FILTER (WHERE status = 'failed') AS failed
  FROM jobs`;

export function createJobQueries(client: SqlClient, announcer: JobEventAnnouncer): JobQueries {
  const complete = createJobCompletion(client, announcer);
  return {
    ...createJobLeaseQueries(client),
    // Creating jobs, the queue bound and its deadline (job-queue.ts).
    ...createJobQueueQueries(client, announcer),
    ...createEmbeddingJobQueries(client),

    async claim({ providerId, models, limit, leaseSeconds }) {
      if (models.length === 0 || limit < 1) return [];
      const leaseTokens = Array.from({ length: limit }, createLeaseToken);
      const tokenByHash = new Map(leaseTokens.map(({ token, hash }) => [hash, token]));
      const rows = await client.query<JobRow & { lease_token_hash: string }>(CLAIM_SQL, [
        providerId,
        [...models],
        limit,
        leaseSeconds,
        leaseTokens.map(({ hash }) => hash),
      ]);
      return rows
        .map((row) => ({ ...toJobRecord(row), leaseToken: tokenByHash.get(row.lease_token_hash) }))
        .sort(byQueueOrder);
    },

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
