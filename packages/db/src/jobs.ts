import { InfernetError, MAX_ERROR_MESSAGE_CHARACTERS } from '@infernet/protocol';
import { isUuid, toJsonParameter, toNumber, toTextParameter } from './column-values';
import { createJobLeaseQueries } from './job-leases';
import { JOB_COLUMN_NAMES, JOB_COLUMNS, toJobRecord, writeFailure, type JobRow } from './job-rows';
import { postJobEarning } from './ledger';
import { JOB_AVAILABLE_CHANNEL, JOB_EVENTS_CHANNEL } from './notification-hub';
import type { SqlClient, SqlExecutor } from './sql-client';
import type { CompleteJobInput, CompleteJobResult, JobQueries, JobRecord } from './types';

/** Claim order is the queue order; ids break ties between jobs created in the same microsecond. */
function byQueueOrder(left: JobRecord, right: JobRecord): number {
  const difference = left.createdAt.getTime() - right.createdAt.getTime();
  if (difference !== 0) return difference;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

/*
 * Check capacity, insert and notify in one statement: one round trip instead
 * of five (capacity query, BEGIN, INSERT, NOTIFY, COMMIT) on the submit path
 * that pick-up latency is measured on. With a liveness window, nothing is
 * inserted when no live provider serves the model. The notification is delivered only if the insert
 * commits, so a woken node always finds the job.
 */
const CREATE_CHAT_SQL = `
  WITH inserted AS (
    INSERT INTO jobs (type, model, title, input, stream_token_hash)
    SELECT 'chat', $1, $2, $3::text::jsonb, $4
    WHERE $5::integer IS NULL OR EXISTS (
      SELECT 1 FROM providers
      WHERE status <> 'offline'
        AND last_seen > now() - make_interval(secs => $5)
        AND jsonb_typeof(specs -> 'served_models') = 'array'
        AND specs -> 'served_models' ? $1
    )
    RETURNING ${JOB_COLUMNS}
  )
  SELECT inserted.*, pg_notify('${JOB_AVAILABLE_CHANNEL}', inserted.model) AS notified
  FROM inserted`;

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
const CLAIM_SQL = `
  WITH candidates AS (
    SELECT id FROM jobs
    WHERE status = 'queued' AND model = ANY($2::text[])
    ORDER BY created_at, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
  )
  UPDATE jobs SET
    status = 'assigned',
    provider_id = $1,
    fencing_token = fencing_token + 1,
    attempts = attempts + 1,
    lease_expires_at = now() + make_interval(secs => $4),
    last_event_batch = 0,
    assigned_at = now(),
    updated_at = now()
  FROM candidates
  WHERE jobs.id = candidates.id
  RETURNING ${JOB_COLUMN_NAMES.map((column) => `jobs.${column}`).join(', ')}`;

const COUNTS_SQL = `
  SELECT
    count(*) FILTER (WHERE status = 'queued') AS queued,
    count(*) FILTER (WHERE status IN ('assigned', 'running')) AS running,
    count(*) FILTER (WHERE status = 'completed') AS completed,
    count(*) FILTER (WHERE status = 'failed') AS failed
  FROM jobs`;

const FINISH_SQL = `
  UPDATE jobs SET
    status = $2,
    result = $3::text::jsonb,
    error = $4,
    completed_at = now(),
    updated_at = now(),
    lease_expires_at = NULL,
    event_seq = event_seq + 1
  WHERE id = $1
  RETURNING ${JOB_COLUMNS}, event_seq`;

const FALLBACK_FAILURE_MESSAGE = 'The provider reported a failure.';

/** The terminal stream event, built from what the provider reported. */
function terminalEvent(
  input: CompleteJobInput,
  error: string | null,
  finishedAt: Date,
): { type: 'done' | 'error'; data: Record<string, unknown> } {
  if (input.status === 'failed') {
    return { type: 'error', data: { message: error ?? FALLBACK_FAILURE_MESSAGE } };
  }
  const result = input.result ?? {};
  const data: Record<string, unknown> = {
    text: result.text ?? '',
    finished_at: finishedAt.toISOString(),
  };
  if (result.reason !== undefined) data.reason = result.reason;
  if (result.usage !== undefined) {
    data.usage = {
      prompt_tokens: result.usage.prompt_tokens,
      completion_tokens: result.usage.completion_tokens,
    };
  }
  return { type: 'done', data };
}

async function finish(executor: SqlExecutor, input: CompleteJobInput): Promise<CompleteJobResult> {
  const locked = await executor.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1 FOR UPDATE`,
    [input.jobId],
  );
  const current = locked[0];
  if (!current) return { ok: false, reason: 'not_found' };
  const failure = writeFailure(current, input.providerId, input.fencingToken);
  if (failure) return { ok: false, reason: failure };
  if (current.status === 'completed' || current.status === 'failed') {
    // A retry after a lost response: the first completion stands and nothing is written.
    return { ok: true, job: toJobRecord(current), changed: false };
  }
  const error =
    input.error === null
      ? null
      : toTextParameter(input.error.slice(0, MAX_ERROR_MESSAGE_CHARACTERS));
  const updated = await executor.query<JobRow & { event_seq: unknown }>(FINISH_SQL, [
    input.jobId,
    input.status,
    input.result === null ? null : toJsonParameter(input.result),
    error,
  ]);
  const row = updated[0];
  if (!row) throw new InfernetError('INTERNAL', 'a locked job row disappeared');
  const job = toJobRecord(row);
  const event = terminalEvent(input, error, job.completedAt ?? new Date());
  await executor.query(
    'INSERT INTO job_events (job_id, seq, type, data) VALUES ($1, $2, $3, $4::text::jsonb)',
    [input.jobId, toNumber(row.event_seq), event.type, toJsonParameter(event.data)],
  );
  if (input.status === 'completed') {
    await postJobEarning(executor, {
      jobId: input.jobId,
      providerId: input.providerId,
      billedTokens: billedTokens(job, input),
      pricePerMillionTokens: input.pricePerMillionTokens ?? '0',
    });
  }
  await executor.query('SELECT pg_notify($1, $2)', [JOB_EVENTS_CHANNEL, input.jobId]);
  return { ok: true, job, changed: true };
}

/**
 * Billed tokens are those stored for the consumer, capped by the engine's own
 * count when the node reports one: a node cannot raise its earning by
 * splitting tokens into more events, nor by over-reporting usage alone.
 */
function billedTokens(job: JobRecord, input: CompleteJobInput): number {
  const reported = input.result?.usage?.completion_tokens;
  return reported === undefined ? job.deliveredTokens : Math.min(job.deliveredTokens, reported);
}

export function createJobQueries(client: SqlClient): JobQueries {
  return {
    ...createJobLeaseQueries(client),
    async createChat(input) {
      const rows = await client.query<JobRow>(CREATE_CHAT_SQL, [
        input.model,
        toTextParameter(input.title),
        toJsonParameter(input.input),
        input.streamTokenHash,
        input.requireLiveProviderWithinSeconds ?? null,
      ]);
      return rows[0] ? toJobRecord(rows[0]) : null;
    },

    async claim({ providerId, models, limit, leaseSeconds }) {
      if (models.length === 0 || limit < 1) return [];
      const rows = await client.query<JobRow>(CLAIM_SQL, [
        providerId,
        [...models],
        limit,
        leaseSeconds,
      ]);
      return rows.map(toJobRecord).sort(byQueueOrder);
    },

    async findById(id) {
      if (!isUuid(id)) return null;
      const rows = await client.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? toJobRecord(rows[0]) : null;
    },

    async complete(input) {
      if (!isUuid(input.jobId)) return { ok: false, reason: 'not_found' };
      return client.transaction((executor) => finish(executor, input));
    },

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
