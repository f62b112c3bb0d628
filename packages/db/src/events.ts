import {
  DEFAULT_LEASE_SECONDS,
  InfernetError,
  type JobStatus,
  type NodeEvent,
} from '@infernet/protocol';
import { isUuid, toDate, toJsonParameter, toNumber } from './column-values';
import { writeFailure } from './job-rows';
import { JOB_EVENTS_CHANNEL } from './notification-hub';
import type { SqlClient, SqlExecutor } from './sql-client';
import type { AppendEventsOptions, AppendEventsResult, EventQueries, StoredEvent } from './types';

interface EventRow {
  job_id: string;
  seq: unknown;
  type: StoredEvent['type'];
  data: Record<string, unknown>;
  created_at: unknown;
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    jobId: row.job_id,
    seq: toNumber(row.seq),
    type: row.type,
    data: row.data,
    createdAt: toDate(row.created_at),
  };
}

/** Node-posted `done` and `error` are dropped: `jobs.complete` writes the one terminal event. */
function isStorable(event: NodeEvent): event is NodeEvent & { event_type: 'meta' | 'token' } {
  return event.event_type === 'meta' || event.event_type === 'token';
}

// Reserves `count` sequence numbers under the row lock the caller holds, so
// concurrent appends to one job commit in sequence order and readers that
// follow by seq never skip a row that commits later. The first stored event
// marks the job running; storing renews the lease and records the batch
// number and how many tokens the consumer can now read.
const RESERVE_SEQUENCE_SQL = `
  UPDATE jobs SET
    event_seq = event_seq + $2,
    status = CASE WHEN status = 'assigned' THEN 'running' ELSE status END,
    started_at = coalesce(started_at, now()),
    lease_expires_at = now() + make_interval(secs => $3),
    last_event_batch = coalesce($4, last_event_batch),
    delivered_tokens = delivered_tokens + $5,
    first_token_at = CASE WHEN $5 > 0 THEN coalesce(first_token_at, now()) ELSE first_token_at END,
    updated_at = now()
  WHERE id = $1
  RETURNING event_seq`;

// The whole batch in one statement: seq is the reserved base plus the position in the batch.
const INSERT_BATCH_SQL = `
  INSERT INTO job_events (job_id, seq, type, data)
  SELECT $1, $2 + batch.position, batch.event ->> 'type', coalesce(batch.event -> 'data', '{}')
  FROM jsonb_array_elements($3::text::jsonb) WITH ORDINALITY AS batch(event, position)`;

async function appendLocked(
  executor: SqlExecutor,
  jobId: string,
  providerId: string,
  events: readonly NodeEvent[],
  options: AppendEventsOptions,
): Promise<AppendEventsResult> {
  const locked = await executor.query<{
    status: JobStatus;
    provider_id: string | null;
    fencing_token: unknown;
    last_event_batch: unknown;
  }>(
    'SELECT status, provider_id, fencing_token, last_event_batch FROM jobs WHERE id = $1 FOR UPDATE',
    [jobId],
  );
  const job = locked[0];
  if (!job) return { ok: false, reason: 'not_found' };
  const failure = writeFailure(job, providerId, options.fencingToken);
  if (failure) return { ok: false, reason: failure };
  if (job.status !== 'assigned' && job.status !== 'running')
    return { ok: false, reason: 'not_active' };
  if (options.batch !== undefined && options.batch <= toNumber(job.last_event_batch)) {
    // A retry of a batch already stored (its response was lost): acknowledge, store nothing.
    return { ok: true, inserted: 0, duplicate: true };
  }

  const stored = events.filter(isStorable);
  const tokens = stored.filter((event) => event.event_type === 'token').length;
  const reserved = await executor.query<{ event_seq: unknown }>(RESERVE_SEQUENCE_SQL, [
    jobId,
    stored.length,
    options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    options.batch ?? null,
    tokens,
  ]);
  if (stored.length === 0) return { ok: true, inserted: 0, duplicate: false };
  const last = reserved[0];
  if (!last) throw new InfernetError('INTERNAL', 'a locked job row disappeared');
  const batch = stored.map((event) => ({ type: event.event_type, data: event.data }));
  await executor.query(INSERT_BATCH_SQL, [
    jobId,
    toNumber(last.event_seq) - stored.length,
    toJsonParameter(batch),
  ]);
  // One notification per batch, never one per token: readers fetch everything after their cursor.
  await executor.query('SELECT pg_notify($1, $2)', [JOB_EVENTS_CHANNEL, jobId]);
  return { ok: true, inserted: stored.length, duplicate: false };
}

export function createEventQueries(client: SqlClient): EventQueries {
  return {
    async append(jobId, providerId, events, options = {}) {
      if (!isUuid(jobId)) return { ok: false, reason: 'not_found' };
      return client.transaction((executor) =>
        appendLocked(executor, jobId, providerId, events, options),
      );
    },

    async listAfter(jobId, afterSeq, limit) {
      if (!isUuid(jobId)) return [];
      const rows = await client.query<EventRow>(
        `SELECT job_id, seq, type, data, created_at FROM job_events
         WHERE job_id = $1 AND seq > $2
         ORDER BY seq
         LIMIT $3`,
        [jobId, afterSeq, limit],
      );
      return rows.map(toStoredEvent);
    },
  };
}
