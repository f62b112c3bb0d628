import { MAX_ERROR_MESSAGE_CHARACTERS } from '@infernet/protocol';
import { isUuid, toJsonParameter, toNumber, toTextParameter } from './column-values';
import { createJobLeaseQueries } from './job-leases';
import { JOB_COLUMN_NAMES, JOB_COLUMNS, toJobRecord, type JobRow } from './job-rows';
import { earningParameters, earningSql } from './ledger';
import { createLeaseToken } from './lease-tokens';
import { JOB_AVAILABLE_CHANNEL, JOB_EVENTS_CHANNEL } from './notification-hub';
import type { SqlClient } from './sql-client';
import type {
  CompleteJobInput,
  CompleteJobResult,
  JobQueries,
  JobRecord,
  JobWriteFailure,
} from './types';

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
    INSERT INTO jobs (type, model, title, input, stream_token_hash, owner_account_id)
    SELECT 'chat', $1, $2, $3::text::jsonb, $4, $6
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
/*
 * $1 provider, $2 models, $3 limit, $4 lease seconds, $5 lease token hashes
 * (one per possible row): each claimed row takes one, by its place among the
 * candidates, and returns it so the caller can pair it with its token.
 */
const CLAIM_SQL = `
  WITH candidates AS (
    SELECT id FROM jobs
    WHERE status = 'queued' AND model = ANY($2::text[])
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

const FALLBACK_FAILURE_MESSAGE = 'The provider reported a failure.';

const RETURNED_COLUMNS = (table: string) =>
  JOB_COLUMN_NAMES.map((column) => `${table}.${column}`).join(', ');

/*
 * Completion in one statement (one round trip): lock and judge the write
 * with the shared rule, finish the job, store the terminal event with the
 * next sequence number, post the earning, and notify readers. A repeated
 * completion by the holder finds the job finished and writes nothing.
 *
 * $1 job, $2 provider, $3 fencing token, $4 final status, $5 result JSON,
 * $6 error, $7 terminal event data (finished_at is added here), $8 tokens
 * the node reported (or NULL), then the earning parameters of ledger.ts.
 */
const COMPLETE_SQL = `
  WITH job AS (
    SELECT ${JOB_COLUMNS},
      infernet_job_write_failure(status, provider_id, fencing_token, $2::uuid, $3::bigint) AS failure
    FROM jobs WHERE id = $1 FOR NO KEY UPDATE
  ), verdict AS (
    SELECT id, CASE
      WHEN failure IS NOT NULL THEN failure
      WHEN status IN ('completed', 'failed') THEN 'unchanged'
      ELSE 'finished' END AS outcome
    FROM job
  ), finished AS (
    UPDATE jobs SET
      status = $4, result = $5::text::jsonb, error = $6,
      completed_at = now(), updated_at = now(), lease_expires_at = NULL,
      event_seq = event_seq + 1
    FROM verdict
    WHERE jobs.id = verdict.id AND verdict.outcome = 'finished'
    RETURNING ${RETURNED_COLUMNS('jobs')}, jobs.event_seq
  ), terminal AS (
    INSERT INTO job_events (job_id, seq, type, data)
    SELECT id, event_seq,
      CASE WHEN $4 = 'completed' THEN 'done' ELSE 'error' END,
      CASE WHEN $4 = 'completed'
        THEN $7::text::jsonb || jsonb_build_object('finished_at',
          to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        ELSE $7::text::jsonb END
    FROM finished
  ), ${earningSql({
    finished: 'finished',
    condition: "$4 = 'completed'",
    billedTokens:
      'least(finished.delivered_tokens, coalesce($8::integer, finished.delivered_tokens))',
    firstParameter: 9,
  })}
  SELECT 'finished' AS outcome, ${RETURNED_COLUMNS('finished')},
    pg_notify('${JOB_EVENTS_CHANNEL}', finished.id::text) AS notified
  FROM finished
  UNION ALL
  SELECT verdict.outcome, ${RETURNED_COLUMNS('job')}, NULL
  FROM verdict JOIN job ON job.id = verdict.id
  WHERE verdict.outcome <> 'finished'`;

/** The terminal stream event's data, built from what the provider reported. */
function terminalEventData(input: CompleteJobInput, error: string | null): Record<string, unknown> {
  if (input.status === 'failed') return { message: error ?? FALLBACK_FAILURE_MESSAGE };
  const result = input.result ?? {};
  const data: Record<string, unknown> = { text: result.text ?? '' };
  if (result.reason !== undefined) data.reason = result.reason;
  if (result.usage !== undefined) {
    data.usage = {
      prompt_tokens: result.usage.prompt_tokens,
      completion_tokens: result.usage.completion_tokens,
    };
  }
  return data;
}

type CompleteOutcome = JobWriteFailure | 'finished' | 'unchanged';

/*
 * Billed tokens (in COMPLETE_SQL) are those stored for the consumer, capped by
 * the engine's own count when the node reports one: a node cannot raise its
 * earning by splitting tokens into more events, nor by over-reporting usage.
 */
async function complete(client: SqlClient, input: CompleteJobInput): Promise<CompleteJobResult> {
  const error =
    input.error === null
      ? null
      : toTextParameter(input.error.slice(0, MAX_ERROR_MESSAGE_CHARACTERS));
  const rows = await client.query<JobRow & { outcome: CompleteOutcome }>(COMPLETE_SQL, [
    input.jobId,
    input.providerId,
    input.fencingToken ?? null,
    input.status,
    input.result === null ? null : toJsonParameter(input.result),
    error,
    toJsonParameter(terminalEventData(input, error)),
    input.result?.usage?.completion_tokens ?? null,
    ...earningParameters({
      providerId: input.providerId,
      pricePerMillionTokens: input.pricePerMillionTokens ?? '0',
      modelPrices: input.modelPrices ?? {},
    }),
  ]);
  const row = rows[0];
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.outcome === 'finished') return { ok: true, job: toJobRecord(row), changed: true };
  // A retry after a lost response: the first completion stands and nothing is written.
  if (row.outcome === 'unchanged') return { ok: true, job: toJobRecord(row), changed: false };
  return { ok: false, reason: row.outcome };
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
        input.ownerAccountId ?? null,
      ]);
      return rows[0] ? toJobRecord(rows[0]) : null;
    },

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

    async complete(input) {
      if (!isUuid(input.jobId)) return { ok: false, reason: 'not_found' };
      return complete(client, input);
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
