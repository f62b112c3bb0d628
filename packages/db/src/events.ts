import { DEFAULT_LEASE_SECONDS, type NodeEvent } from '@infernet/protocol';
import { isUuid, toDate, toJsonParameter, toNumber } from './column-values';
import { JOB_EVENTS_CHANNEL } from './notification-hub';
import type { SqlClient } from './sql-client';
import type { EventQueries, JobWriteFailure, StoredEvent } from './types';

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

/*
 * The whole append in one statement, so a token batch costs one round trip:
 * lock the job row, judge the write with the shared rule
 * (infernet_job_write_failure), reserve `count` sequence numbers, insert the
 * batch and notify once. Sequence numbers are reserved under the row lock,
 * so concurrent appends to one job commit in sequence order and readers that
 * follow by seq never skip a row that commits later. Storing renews the lease
 * and records the batch number and how many tokens the consumer can now read;
 * the first stored event marks the job running.
 *
 * $1 job, $2 provider, $3 fencing token, $4 batch, $5 event count,
 * $6 token count, $7 lease seconds, $8 events as JSON.
 */
const APPEND_SQL = `
  WITH job AS (
    SELECT id, status, last_event_batch,
      infernet_job_write_failure(status, provider_id, fencing_token, $2::uuid, $3::bigint) AS failure
    FROM jobs WHERE id = $1 FOR NO KEY UPDATE
  ), verdict AS (
    SELECT id, CASE
      WHEN failure IS NOT NULL THEN failure
      WHEN status NOT IN ('assigned', 'running') THEN 'not_active'
      WHEN $4::integer <= last_event_batch THEN 'duplicate'
      ELSE 'ok' END AS outcome
    FROM job
  ), reserved AS (
    UPDATE jobs SET
      event_seq = event_seq + $5,
      status = CASE WHEN status = 'assigned' AND $5 > 0 THEN 'running' ELSE status END,
      started_at = CASE WHEN $5 > 0 THEN coalesce(started_at, now()) ELSE started_at END,
      lease_expires_at = now() + make_interval(secs => $7),
      last_event_batch = coalesce($4::integer, last_event_batch),
      delivered_tokens = delivered_tokens + $6,
      first_token_at = CASE WHEN $6 > 0 THEN coalesce(first_token_at, now()) ELSE first_token_at END,
      updated_at = now()
    FROM verdict
    WHERE jobs.id = verdict.id AND verdict.outcome = 'ok'
    RETURNING jobs.event_seq - $5 AS base
  ), stored AS (
    INSERT INTO job_events (job_id, seq, type, data)
    SELECT $1, reserved.base + batch.position, batch.event ->> 'type', coalesce(batch.event -> 'data', '{}')
    FROM reserved, jsonb_array_elements($8::text::jsonb) WITH ORDINALITY AS batch(event, position)
    RETURNING 1
  )
  SELECT verdict.outcome,
    CASE WHEN verdict.outcome = 'ok' AND $5 > 0
      THEN pg_notify('${JOB_EVENTS_CHANNEL}', $1::text) END AS notified,
    (SELECT count(*) FROM stored) AS inserted
  FROM verdict`;

type AppendOutcome = JobWriteFailure | 'duplicate' | 'ok';

export function createEventQueries(client: SqlClient): EventQueries {
  return {
    async append(jobId, providerId, events, options = {}) {
      if (!isUuid(jobId)) return { ok: false, reason: 'not_found' };
      const stored = events.filter(isStorable);
      const tokens = stored.filter((event) => event.event_type === 'token').length;
      const rows = await client.query<{ outcome: AppendOutcome; inserted: unknown }>(APPEND_SQL, [
        jobId,
        providerId,
        options.fencingToken ?? null,
        options.batch ?? null,
        stored.length,
        tokens,
        options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
        toJsonParameter(stored.map((event) => ({ type: event.event_type, data: event.data }))),
      ]);
      const outcome = rows[0]?.outcome ?? 'not_found';
      // A retry of a batch already stored (its response was lost): acknowledge, store nothing.
      if (outcome === 'duplicate') return { ok: true, inserted: 0, duplicate: true };
      if (outcome !== 'ok') return { ok: false, reason: outcome };
      return { ok: true, inserted: toNumber(rows[0]?.inserted ?? 0), duplicate: false };
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
