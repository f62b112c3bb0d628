import { isUuid, toJsonParameter, toNumber, toTextParameter } from './column-values';
import type { JobEventAnnouncer } from './job-event-notifier';
import { JOB_COLUMNS, toJobRecord, type JobRow } from './job-rows';
import { createLeaseToken } from './lease-tokens';
import { JOB_AVAILABLE_CHANNEL } from './notification-hub';
import type { SqlClient } from './sql-client';
import type {
  CreateChatJobInput,
  JobQueries,
  QueueEstimate,
  SubmitChatJobInput,
  SubmitChatJobResult,
} from './types';

/**
 * The control plane's own provider row (migration 0007), which holds the
 * jobs the NVIDIA NIM fallback answers. Its public key is not a curve
 * point, so no node can sign as it.
 */
export const NIM_FALLBACK_PROVIDER = Object.freeze({
  id: '00000000-0000-4000-8000-000000000001',
  nodeId: 'nvidia-nim',
  name: 'NVIDIA NIM (fallback)',
  publicKey: 'f'.repeat(64),
});

/** Jobs whose latest completions the expected wait is estimated from. */
const RECENT_COMPLETIONS = 20;

/** Live providers serving $1, with $N the liveness window in seconds. */
const servesModel = (liveness: string) => `
  status <> 'offline'
  AND last_seen > now() - make_interval(secs => ${liveness})
  AND jsonb_typeof(specs -> 'served_models') = 'array'
  AND specs -> 'served_models' ? $1`;

/*
 * Check capacity, check the queue bound, insert and notify in one statement:
 * one round trip on the submit path that pick-up latency is measured on.
 * With a liveness window ($5), nothing is inserted when no live provider
 * serves the model; with a bound ($7), nothing is inserted when that many
 * jobs of the model already wait (counting stops at the bound, through the
 * claim index). The notification is delivered only if the insert commits,
 * so a woken node always finds the job. Exactly one row comes back, saying
 * what happened. The bound is read from the statement's snapshot, so the
 * submits of one instant can each take the last place: it holds to within
 * the number of concurrent submits, which a lock-free single statement allows.
 *
 * With a provider ($9), whose long poll is waiting on this server copy, the
 * job is handed to it: inserted already claimed, as a claim would leave it
 * (fencing token 1, one attempt, a lease of $10 seconds, the lease token
 * hash $11), and nobody is notified. That saves the claim's statement and
 * the wake-up in between. Only when no job of the model waits: a waiting
 * job is older and goes first, so the new one queues behind it.
 *
 * $1 model, $2 title, $3 input, $4 stream token hash, $5 liveness seconds,
 * $6 owner, $7 queue bound, $8 queue deadline seconds, $9 provider to hand
 * the job to, $10 its lease seconds, $11 its lease token hash.
 */
const SUBMIT_CHAT_SQL = `
  WITH capacity AS (
    SELECT
      ($5::integer IS NULL OR EXISTS (SELECT 1 FROM providers WHERE ${servesModel('$5')})) AS served,
      CASE WHEN $7::integer IS NULL THEN 0 ELSE (
        SELECT count(*) FROM (
          SELECT 1 FROM jobs WHERE status = 'queued' AND model = $1 LIMIT $7::integer
        ) waiting
      ) END AS queued,
      $9::uuid IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM jobs WHERE status = 'queued' AND model = $1
          AND (queue_deadline_at IS NULL OR queue_deadline_at > now())
      ) AS handed_off
  ), inserted AS (
    INSERT INTO jobs (type, model, title, input, stream_token_hash, owner_account_id,
      queue_deadline_at, status, provider_id, fencing_token, attempts, lease_expires_at,
      lease_token_hash, assigned_at)
    SELECT 'chat', $1, $2, $3::text::jsonb, $4, $6, now() + make_interval(secs => $8),
      CASE WHEN handed_off THEN 'assigned' ELSE 'queued' END,
      CASE WHEN handed_off THEN $9::uuid END,
      CASE WHEN handed_off THEN 1 ELSE 0 END,
      CASE WHEN handed_off THEN 1 ELSE 0 END,
      CASE WHEN handed_off THEN now() + make_interval(secs => $10::integer) END,
      CASE WHEN handed_off THEN $11::text END,
      CASE WHEN handed_off THEN now() END
    FROM capacity
    WHERE capacity.served AND ($7::integer IS NULL OR capacity.queued < $7::integer)
    RETURNING ${JOB_COLUMNS}
  )
  SELECT capacity.served, capacity.queued, inserted.*,
    CASE WHEN inserted.id IS NOT NULL AND NOT capacity.handed_off
      THEN pg_notify('${JOB_AVAILABLE_CHANNEL}', inserted.model) END AS notified
  FROM capacity LEFT JOIN inserted ON true`;

/*
 * A fallback job starts held by the control plane's provider row, as if
 * claimed: fencing token 1, one attempt, a lease and a lease token. No
 * node is notified, since there is nothing to claim. Should the server copy
 * running it die before the first token, the lease sweep queues it like
 * any job, and its deadline ($9) then applies. Migration 0007 made the
 * row; it is made again here if it was deleted since (the foreign key is
 * checked at the end of the statement, so it sees the row).
 *
 * $1 model, $2 title, $3 input, $4 stream token hash, $5 owner,
 * $6 provider id, $7 lease seconds, $8 lease token hash, $9 queue deadline
 * seconds, $10 provider public key, $11 node id, $12 name.
 */
const CREATE_FALLBACK_SQL = `
  WITH writer AS (
    INSERT INTO providers (id, public_key, node_id, role, name, status, specs)
    VALUES ($6, $10, $11, 'provider', $12, 'offline',
      '{"gpus": [], "gpu_count": 0, "served_models": []}')
    ON CONFLICT DO NOTHING
  )
  INSERT INTO jobs (type, model, title, input, stream_token_hash, owner_account_id, status,
    provider_id, fencing_token, attempts, lease_expires_at, lease_token_hash, assigned_at,
    queue_deadline_at)
  VALUES ('chat', $1, $2, $3::text::jsonb, $4, $5, 'assigned',
    $6, 1, 1, now() + make_interval(secs => $7), $8, now(),
    now() + make_interval(secs => $9))
  RETURNING ${JOB_COLUMNS}`;

/*
 * Fails queued jobs past their deadline, each with its terminal `error`
 * event at the next sequence number (under the row lock the UPDATE holds).
 * SKIP LOCKED: a job a claim is taking right now is left to the claim, and
 * one another server copy is failing is left to that copy. Claims skip
 * jobs past their deadline themselves, so none is handed out meanwhile.
 */
const EXPIRE_QUEUE_SQL = `
  WITH expired AS (
    SELECT id FROM jobs
    WHERE status = 'queued' AND queue_deadline_at < now()
    ORDER BY queue_deadline_at
    LIMIT $1
    FOR NO KEY UPDATE SKIP LOCKED
  ), failed AS (
    UPDATE jobs SET
      status = 'failed', completed_at = now(), updated_at = now(),
      lease_expires_at = NULL, event_seq = jobs.event_seq + 1,
      error = 'No node was free to take this job within '
        || round(extract(epoch FROM jobs.queue_deadline_at - jobs.created_at))
        || ' s of queueing, so it will not run. Try again later.'
    FROM expired
    WHERE jobs.id = expired.id
    RETURNING jobs.id, jobs.event_seq, jobs.error, jobs.delivered_tokens
  ), stored AS (
    INSERT INTO job_events (job_id, seq, type, data)
    SELECT id, event_seq, 'error', jsonb_build_object(
      'message', error, 'code', 'QUEUE_TIMEOUT', 'delivered_tokens', delivered_tokens)
    FROM failed
  )
  SELECT id FROM failed`;

/*
 * $1 model, $2 job (or NULL: the whole queue), $3 liveness seconds. The
 * durations are claim to completion of the model's latest completed jobs.
 */
const QUEUE_ESTIMATE_SQL = `
  SELECT
    (SELECT count(*) FROM jobs
     WHERE status = 'queued' AND model = $1
       AND ($2::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM jobs WHERE id = $2))
    ) AS ahead,
    (SELECT count(*) FROM providers WHERE ${servesModel('$3')}) AS nodes,
    (SELECT avg(extract(epoch FROM completed_at - assigned_at)) FROM (
      SELECT completed_at, assigned_at FROM jobs
      WHERE status = 'completed' AND model = $1 AND assigned_at IS NOT NULL
      ORDER BY completed_at DESC
      LIMIT ${RECENT_COMPLETIONS}
    ) recent) AS recent_seconds`;

type SubmitRow = Partial<JobRow> & { served: boolean; queued: unknown };

function chatParameters(input: CreateChatJobInput) {
  return {
    model: input.model,
    title: toTextParameter(input.title),
    input: toJsonParameter(input.input),
    streamTokenHash: input.streamTokenHash,
    owner: input.ownerAccountId ?? null,
  };
}

async function submit(
  client: SqlClient,
  input: CreateChatJobInput &
    Partial<Pick<SubmitChatJobInput, 'maxQueuedPerModel' | 'queueDeadlineSeconds' | 'handOffTo'>>,
): Promise<SubmitChatJobResult> {
  const chat = chatParameters(input);
  const lease = input.handOffTo === undefined ? undefined : createLeaseToken();
  const rows = await client.query<SubmitRow>(SUBMIT_CHAT_SQL, [
    chat.model,
    chat.title,
    chat.input,
    chat.streamTokenHash,
    input.requireLiveProviderWithinSeconds ?? null,
    chat.owner,
    input.maxQueuedPerModel ?? null,
    input.queueDeadlineSeconds ?? null,
    input.handOffTo?.providerId ?? null,
    input.handOffTo?.leaseSeconds ?? null,
    lease?.hash ?? null,
  ]);
  const row = rows[0];
  const queued = toNumber(row?.queued ?? 0);
  if (row?.id) {
    const job = toJobRecord(row as JobRow);
    if (job.status === 'queued') return { ok: true, job, queuedAhead: queued };
    return { ok: true, job: { ...job, leaseToken: lease?.token }, queuedAhead: 0 };
  }
  if (!row?.served) return { ok: false, reason: 'no_capacity' };
  return { ok: false, reason: 'queue_full', queued };
}

/** Creating, bounding and expiring queued chat jobs; part of `JobQueries`. */
export function createJobQueueQueries(
  client: SqlClient,
  announcer: Pick<JobEventAnnouncer, 'eventsStored'>,
): Pick<
  JobQueries,
  'createChat' | 'submitChat' | 'createFallbackChat' | 'expireQueueDeadlines' | 'queueEstimate'
> {
  return {
    async createChat(input) {
      const result = await submit(client, input);
      return result.ok ? result.job : null;
    },

    submitChat: (input) => submit(client, input),

    async createFallbackChat(input) {
      const chat = chatParameters(input);
      const lease = createLeaseToken();
      const rows = await client.query<JobRow>(CREATE_FALLBACK_SQL, [
        chat.model,
        chat.title,
        chat.input,
        chat.streamTokenHash,
        chat.owner,
        NIM_FALLBACK_PROVIDER.id,
        input.leaseSeconds,
        lease.hash,
        input.queueDeadlineSeconds,
        NIM_FALLBACK_PROVIDER.publicKey,
        NIM_FALLBACK_PROVIDER.nodeId,
        NIM_FALLBACK_PROVIDER.name,
      ]);
      return { ...toJobRecord(rows[0]!), leaseToken: lease.token };
    },

    async expireQueueDeadlines({ limit = 500 } = {}) {
      const rows = await client.query<{ id: string }>(EXPIRE_QUEUE_SQL, [limit]);
      const jobIds = rows.map((row) => row.id);
      // Told after the commit, so a woken reader finds the error event.
      for (const jobId of jobIds) announcer.eventsStored(jobId);
      return { jobIds };
    },

    async queueEstimate({ model, jobId, livenessSeconds }): Promise<QueueEstimate> {
      const rows = await client.query<{ ahead: unknown; nodes: unknown; recent_seconds: unknown }>(
        QUEUE_ESTIMATE_SQL,
        [model, jobId !== undefined && isUuid(jobId) ? jobId : null, livenessSeconds],
      );
      const row = rows[0];
      const recent = row?.recent_seconds;
      return {
        ahead: toNumber(row?.ahead ?? 0),
        nodes: toNumber(row?.nodes ?? 0),
        recentJobSeconds: recent === null || recent === undefined ? null : toNumber(recent),
      };
    },
  };
}
