import { isUuid, toTextParameter } from './column-values';
import {
  JOB_COLUMNS,
  LOCK_FOR_NODE_WRITE_SQL,
  toJobRecord,
  type JobRow,
  type LockedJobRow,
} from './job-rows';
import { JOB_AVAILABLE_CHANNEL, JOB_EVENTS_CHANNEL } from './notification-hub';
import { countReaderSql } from './reader-counts';
import type { SqlClient, SqlExecutor } from './sql-client';
import type { JobQueries, LeaseSweepResult, ReleaseJobInput, ReleaseJobResult } from './types';

const ACTIVE_STATUSES = `('assigned', 'running')`;
const UNFINISHED_STATUSES = `('queued', 'assigned', 'running')`;

/*
 * Puts a job back in the queue for another node. The provider, lease and
 * batch counter are cleared; the fencing token stays, so the next claim
 * raises it past every token the old holder has seen.
 */
const REQUEUE_SET = `
  status = 'queued', provider_id = NULL, lease_expires_at = NULL,
  assigned_at = NULL, updated_at = now()`;

/*
 * Ends a job with an `error` event in the same statement: the event takes the
 * next sequence number under the row lock that the UPDATE holds. Parameters:
 * $1 the final status, $2 the message, $3 the stream error code; `where` uses $4 on.
 */
export function failWithEventSql(where: string): string {
  return `
    WITH failed AS (
      UPDATE jobs SET
        status = $1, error = $2, completed_at = now(), updated_at = now(),
        lease_expires_at = NULL, event_seq = event_seq + 1
      WHERE ${where}
      RETURNING ${JOB_COLUMNS}, event_seq
    ), stored AS (
      INSERT INTO job_events (job_id, seq, type, data)
      SELECT id, event_seq, 'error',
        jsonb_build_object('message', error, 'code', $3::text, 'delivered_tokens', delivered_tokens)
      FROM failed
    )
    SELECT failed.*, pg_notify('${JOB_EVENTS_CHANNEL}', failed.id::text) AS notified FROM failed`;
}

async function releaseLocked(
  executor: SqlExecutor,
  input: ReleaseJobInput,
): Promise<ReleaseJobResult> {
  const locked = await executor.query<LockedJobRow>(LOCK_FOR_NODE_WRITE_SQL, [
    input.jobId,
    input.providerId,
    input.fencingToken ?? null,
  ]);
  const row = locked[0];
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.failure) return { ok: false, reason: row.failure };
  if (row.status === 'completed' || row.status === 'failed') {
    return { ok: true, job: toJobRecord(row), outcome: 'unchanged' };
  }
  if (row.first_token_at === null) {
    // A drained node did nothing wrong: its claim does not count as an attempt.
    const requeued = await executor.query<JobRow>(
      `UPDATE jobs SET ${REQUEUE_SET}, attempts = greatest(attempts - 1, 0)
       WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
      [input.jobId],
    );
    await executor.query('SELECT pg_notify($1, $2)', [JOB_AVAILABLE_CHANNEL, row.model]);
    return { ok: true, job: toJobRecord(requeued[0]!), outcome: 'requeued' };
  }
  const message = `The node serving this job shut down mid-answer: ${input.reason}`;
  const failed = await executor.query<JobRow>(failWithEventSql('id = $4'), [
    'failed',
    toTextParameter(message.slice(0, 1024)),
    'NODE_SHUTDOWN',
    input.jobId,
  ]);
  return { ok: true, job: toJobRecord(failed[0]!), outcome: 'failed' };
}

const EXPIRE_SQL = `
  WITH expired AS (
    SELECT id FROM jobs
    WHERE status IN ${ACTIVE_STATUSES} AND lease_expires_at < now()
    ORDER BY lease_expires_at
    LIMIT $2
    FOR NO KEY UPDATE SKIP LOCKED
  ), requeued AS (
    UPDATE jobs SET ${REQUEUE_SET}
    FROM expired
    WHERE jobs.id = expired.id AND jobs.first_token_at IS NULL AND jobs.attempts < $1
    RETURNING jobs.id, jobs.model
  ), failed AS (
    UPDATE jobs SET
      status = 'failed', completed_at = now(), updated_at = now(),
      lease_expires_at = NULL, event_seq = event_seq + 1,
      error = CASE WHEN jobs.first_token_at IS NOT NULL
        THEN 'The node serving this job stopped responding after it had started answering.'
        ELSE 'No node finished this job after ' || jobs.attempts || ' attempts.' END
    FROM expired
    WHERE jobs.id = expired.id AND NOT (jobs.first_token_at IS NULL AND jobs.attempts < $1)
    RETURNING jobs.id, jobs.event_seq, jobs.error, jobs.delivered_tokens,
      CASE WHEN jobs.first_token_at IS NOT NULL THEN 'NODE_LOST' ELSE 'ATTEMPTS_EXHAUSTED' END AS code
  ), stored AS (
    INSERT INTO job_events (job_id, seq, type, data)
    SELECT id, event_seq, 'error',
      jsonb_build_object('message', error, 'code', code, 'delivered_tokens', delivered_tokens)
    FROM failed
  )
  SELECT 'requeued' AS outcome, model AS topic,
    pg_notify('${JOB_AVAILABLE_CHANNEL}', model) AS notified
  FROM requeued
  UNION ALL
  SELECT 'failed' AS outcome, id::text AS topic,
    pg_notify('${JOB_EVENTS_CHANNEL}', id::text) AS notified
  FROM failed`;

const CANCELLED_BY_CONSUMER = 'CANCELLED';

/** Lease, cancellation and reader bookkeeping; part of `JobQueries`. */
export function createJobLeaseQueries(
  client: SqlClient,
): Pick<
  JobQueries,
  'release' | 'cancel' | 'renewLeases' | 'expireLeases' | 'trackReader' | 'cancelAbandoned'
> {
  return {
    async release(input) {
      if (!isUuid(input.jobId)) return { ok: false, reason: 'not_found' };
      return client.transaction((executor) => releaseLocked(executor, input));
    },

    async cancel(jobId, reason) {
      if (!isUuid(jobId)) return { ok: false, reason: 'not_found' };
      const cancelled = await client.query<JobRow>(
        failWithEventSql(`id = $4 AND status IN ${UNFINISHED_STATUSES}`),
        ['cancelled', toTextParameter(reason), CANCELLED_BY_CONSUMER, jobId],
      );
      if (cancelled[0]) return { ok: true, job: toJobRecord(cancelled[0]), changed: true };
      const existing = await client.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [
        jobId,
      ]);
      return existing[0]
        ? { ok: true, job: toJobRecord(existing[0]), changed: false }
        : { ok: false, reason: 'not_found' };
    },

    async renewLeases({ providerId, jobIds, leaseSeconds }) {
      const ids = (jobIds ?? []).filter(isUuid);
      const renewed = await client.query<{ id: string }>(
        `UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $2)
         WHERE provider_id = $1 AND status IN ${ACTIVE_STATUSES}
           AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[]))
         RETURNING id`,
        [providerId, leaseSeconds, jobIds === undefined ? null : ids],
      );
      const held = new Set(renewed.map((row) => row.id));
      return { lost: (jobIds ?? []).filter((id) => !held.has(id)) };
    },

    async expireLeases({ maxAttempts, limit = 500 }): Promise<LeaseSweepResult> {
      const rows = await client.query<{ outcome: 'requeued' | 'failed'; topic: string }>(
        EXPIRE_SQL,
        [maxAttempts, limit],
      );
      const requeued = rows.filter((row) => row.outcome === 'requeued');
      const failed = rows.filter((row) => row.outcome === 'failed');
      return {
        requeued: requeued.length,
        failed: failed.length,
        // One wake-up per model is enough: every node woken for it claims what it can.
        requeuedModels: [...new Set(requeued.map((row) => row.topic))],
        failedJobIds: failed.map((row) => row.topic),
      };
    },

    async trackReader(jobId, change) {
      if (!isUuid(jobId)) return;
      await client.query(countReaderSql('$1', '$2::integer'), [jobId, change]);
    },

    async cancelAbandoned({ graceSeconds }) {
      const rows = await client.query<{ id: string }>(
        failWithEventSql(
          `id IN (SELECT jobs.id FROM jobs
                  JOIN job_stream_readers readers ON readers.job_id = jobs.id
                  WHERE readers.readers = 0
                    AND readers.left_at < now() - make_interval(secs => $4)
                    AND jobs.status IN ${UNFINISHED_STATUSES}
                  FOR NO KEY UPDATE OF jobs SKIP LOCKED)`,
        ),
        [
          'cancelled',
          'Cancelled: the reader left and did not come back.',
          CANCELLED_BY_CONSUMER,
          graceSeconds,
        ],
      );
      return { count: rows.length, jobIds: rows.map((row) => row.id) };
    },
  };
}
