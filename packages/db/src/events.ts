import { InfernetError, type JobStatus, type NodeEvent } from '@infernet/protocol';
import { isUuid, toDate, toJsonParameter, toNumber } from './column-values';
import { ownershipFailure } from './jobs';
import { JOB_EVENTS_CHANNEL } from './notification-hub';
import type { SqlClient, SqlExecutor } from './sql-client';
import type { AppendEventsResult, EventQueries, StoredEvent } from './types';

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
// marks the job running.
const RESERVE_SEQUENCE_SQL = `
  UPDATE jobs SET
    event_seq = event_seq + $2,
    status = CASE WHEN status = 'assigned' THEN 'running' ELSE status END,
    started_at = coalesce(started_at, now()),
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
): Promise<AppendEventsResult> {
  const locked = await executor.query<{ status: JobStatus; provider_id: string | null }>(
    'SELECT status, provider_id FROM jobs WHERE id = $1 FOR UPDATE',
    [jobId],
  );
  const job = locked[0];
  if (!job) return { ok: false, reason: 'not_found' };
  const failure = ownershipFailure(job, providerId);
  if (failure) return { ok: false, reason: failure };
  if (job.status !== 'assigned' && job.status !== 'running')
    return { ok: false, reason: 'not_active' };

  const stored = events.filter(isStorable);
  if (stored.length === 0) return { ok: true, inserted: 0 };
  const reserved = await executor.query<{ event_seq: unknown }>(RESERVE_SEQUENCE_SQL, [
    jobId,
    stored.length,
  ]);
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
  return { ok: true, inserted: stored.length };
}

export function createEventQueries(client: SqlClient): EventQueries {
  return {
    async append(jobId, providerId, events) {
      if (!isUuid(jobId)) return { ok: false, reason: 'not_found' };
      return client.transaction((executor) => appendLocked(executor, jobId, providerId, events));
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
