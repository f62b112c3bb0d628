import { DEFAULT_LEASE_SECONDS, MAX_EVENTS_PER_BATCH, type NodeEvent } from '@infernet/protocol';
import { isUuid, toDate, toJsonParameter, toNumber } from './column-values';
import { hashLeaseToken } from './lease-tokens';
import { countReaderSql } from './reader-counts';
import { StatementCoalescer } from './statement-coalescer';
import type { JobEventAnnouncer } from './job-event-notifier';
import type { SqlClient } from './sql-client';
import type {
  AppendEventsResult,
  AppendRequest,
  EventQueries,
  JobWriteFailure,
  StoredEvent,
} from './types';

interface EventRow {
  job_id: string;
  seq: unknown;
  /** `tokens`: a run of token events stored as one row (migration 0012). */
  type: StoredEvent['type'] | 'tokens';
  data: Record<string, unknown> | Record<string, unknown>[];
  created_at: unknown;
}

/** The events one row stands for: a `tokens` row holds one token event per element of its data. */
function toStoredEvents(row: EventRow): StoredEvent[] {
  const jobId = row.job_id;
  const seq = toNumber(row.seq);
  const createdAt = toDate(row.created_at);
  if (row.type !== 'tokens') {
    return [{ jobId, seq, type: row.type, data: row.data as Record<string, unknown>, createdAt }];
  }
  return (row.data as Record<string, unknown>[]).map((data, index) => ({
    jobId,
    seq: seq + index,
    type: 'token',
    data,
    createdAt,
  }));
}

/** The most events one row stands for: a batch holds at most this many. */
const MAX_EVENTS_PER_ROW = MAX_EVENTS_PER_BATCH;

/** Node-posted `done` and `error` are dropped: `jobs.complete` writes the one terminal event. */
function isStorable(event: NodeEvent): event is NodeEvent & { event_type: 'meta' | 'token' } {
  return event.event_type === 'meta' || event.event_type === 'token';
}

/*
 * Appends for several jobs in one statement (StatementCoalescer merges the
 * batches that arrive while another append runs), so a token batch costs a
 * share of one round trip. Per job: lock its row (in id order, so two such
 * statements never deadlock), judge the write with the shared rule
 * (infernet_job_write_failure), reserve `count` sequence numbers, insert the
 * batch. Sequence numbers are reserved under the row lock, so concurrent
 * appends to one job commit in sequence order and readers that follow by
 * seq never skip a row that commits later. Storing records the batch
 * number and how many tokens the consumer can now read, and the first
 * stored event marks the job running. It renews the lease once a sixth of
 * it has passed: writing the indexed lease_expires_at on every batch made
 * each batch's update of the job row a non-HOT one that touched every index
 * of jobs. A lease stored events renewed still has five sixths left, so a
 * node that renews a third of a lease after its last batch (the daemon's
 * keep-alive) has two tries before it runs out. A job appears at most once
 * per statement.
 *
 * The writer is the node with the given provider id (a signed request), or
 * whoever presents the current claim's lease token (its SHA-256): the job's
 * holder when it matches, nobody when it does not. A `meta` event's
 * provider fields are overwritten with the holder's own row: events are
 * trusted for content, not for identity. Each job's first sequence number,
 * the holder's row and the insert time come back, so this process can hand
 * the stored rows to its own readers without them reading the rows again
 * (JobEventNotifier, which also tells other server copies, merged).
 *
 * Each run of tokens in a batch is stored as one `tokens` row (migration
 * 0012), so a batch costs the database a row or two, not a row per token.
 * Rows travel as flat arrays (batch position, type, data, event count)
 * rather than one JSON document: each datum is parsed once, wherever the
 * planner puts it.
 *
 * Per batch: $1 job, $2 provider, $3 fencing token, $4 batch number,
 * $5 event count, $6 token count, $7 lease token hash, $8 lease seconds.
 * Per row: $9 batch position (1-based), $10 type, $11 data, $12 event count.
 */
const APPEND_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::integer[], $5::integer[],
      $6::integer[], $7::text[], $8::integer[])
      WITH ORDINALITY AS input(job_id, provider_id, fencing_token, batch, event_count,
        token_count, lease_token_hash, lease_seconds, position)
  ), job AS (
    SELECT input.position, jobs.id, jobs.status, jobs.last_event_batch, jobs.provider_id,
      infernet_job_write_failure(jobs.status, jobs.provider_id, jobs.fencing_token,
        CASE WHEN input.lease_token_hash IS NULL THEN input.provider_id
             WHEN jobs.lease_token_hash = input.lease_token_hash THEN jobs.provider_id END,
        input.fencing_token) AS failure
    FROM input JOIN jobs ON jobs.id = input.job_id
    ORDER BY jobs.id
    FOR NO KEY UPDATE OF jobs
  ), verdict AS (
    SELECT job.position, job.id, job.provider_id, CASE
      WHEN job.failure IS NOT NULL THEN job.failure
      WHEN job.status NOT IN ('assigned', 'running') THEN 'not_active'
      WHEN input.batch <= job.last_event_batch THEN 'duplicate'
      ELSE 'ok' END AS outcome
    FROM job JOIN input ON input.position = job.position
  ), reserved AS (
    UPDATE jobs SET
      event_seq = jobs.event_seq + input.event_count,
      status = CASE WHEN jobs.status = 'assigned' AND input.event_count > 0
        THEN 'running' ELSE jobs.status END,
      started_at = CASE WHEN input.event_count > 0
        THEN coalesce(jobs.started_at, now()) ELSE jobs.started_at END,
      lease_expires_at = CASE
        WHEN jobs.lease_expires_at > now() + make_interval(secs => input.lease_seconds * 5 / 6.0)
        THEN jobs.lease_expires_at
        ELSE now() + make_interval(secs => input.lease_seconds) END,
      last_event_batch = coalesce(input.batch, jobs.last_event_batch),
      delivered_tokens = jobs.delivered_tokens + input.token_count,
      first_token_at = CASE WHEN input.token_count > 0
        THEN coalesce(jobs.first_token_at, now()) ELSE jobs.first_token_at END,
      updated_at = now()
    FROM verdict JOIN input ON input.position = verdict.position
    WHERE jobs.id = verdict.id AND verdict.outcome = 'ok'
    RETURNING verdict.position, jobs.id AS job_id, jobs.event_seq - input.event_count AS base,
      verdict.provider_id
  ), holder AS (
    SELECT reserved.*, providers.node_id AS provider_node_id, providers.name AS provider_name
    FROM reserved LEFT JOIN providers ON providers.id = reserved.provider_id
  ), event AS (
    SELECT * FROM unnest($9::integer[], $10::text[], $11::jsonb[], $12::integer[])
      WITH ORDINALITY AS event(batch_position, type, data, event_count, ordinal)
  ), stored AS (
    INSERT INTO job_events (job_id, seq, type, data, event_count)
    SELECT holder.job_id,
      holder.base - event.event_count + 1 + sum(event.event_count)
        OVER (PARTITION BY event.batch_position ORDER BY event.ordinal),
      event.type,
      CASE WHEN event.type = 'meta' THEN event.data || jsonb_build_object(
          'provider_id', holder.provider_id, 'provider_node_id', holder.provider_node_id,
          'provider_name', holder.provider_name)
        ELSE event.data END,
      event.event_count
    FROM event JOIN holder ON holder.position = event.batch_position
  )
  SELECT input.position, coalesce(verdict.outcome, 'not_found') AS outcome, holder.base,
    holder.provider_id, holder.provider_node_id, holder.provider_name, now() AS stored_at
  FROM input
  LEFT JOIN verdict ON verdict.position = input.position
  LEFT JOIN holder ON holder.position = input.position
  ORDER BY input.position`;

/** The most batches one statement carries; keeps the notification payload well under 8,000 bytes. */
const MAX_BATCHES_PER_STATEMENT = 64;
/** Appends running at once; more arrive while they run and go out together next. */
const MAX_APPENDS_IN_FLIGHT = 2;

type AppendOutcome = JobWriteFailure | 'duplicate' | 'ok';

interface AppendEvent {
  type: 'meta' | 'token';
  /** As the database stores it: serialised, with what jsonb refuses replaced. */
  dataJson: string;
  /** The same datum as an object, for this process's readers. */
  data: Record<string, unknown>;
}

interface AppendItem {
  jobId: string;
  providerId: string | null;
  fencingToken: number | null;
  batch: number | null;
  tokenCount: number;
  leaseTokenHash: string | null;
  leaseSeconds: number;
  events: AppendEvent[];
}

interface AppendRow {
  outcome: AppendOutcome;
  base: unknown;
  provider_id: string | null;
  provider_node_id: string | null;
  provider_name: string | null;
  stored_at: unknown;
}

type AppendResult = { outcome: AppendOutcome; stored: StoredEvent[] };

function toAppendEvent(event: NodeEvent & { event_type: 'meta' | 'token' }): AppendEvent {
  const plain = JSON.stringify(event.data);
  const dataJson = toJsonParameter(event.data);
  // Only a datum with an unstorable character differs from its stored form.
  const data = dataJson === plain ? event.data : (JSON.parse(dataJson) as Record<string, unknown>);
  return { type: event.event_type, dataJson, data };
}

/** The rows the statement stored, rebuilt from what was sent and what it returned. */
function storedRows(item: AppendItem, row: AppendRow): StoredEvent[] {
  if (row.base === null || row.base === undefined) return [];
  const base = toNumber(row.base);
  const createdAt = toDate(row.stored_at);
  const holder = {
    provider_id: row.provider_id,
    provider_node_id: row.provider_node_id,
    provider_name: row.provider_name,
  };
  return item.events.map((event, index) => ({
    jobId: item.jobId,
    seq: base + index + 1,
    type: event.type,
    data: event.type === 'meta' ? { ...event.data, ...holder } : event.data,
    createdAt,
  }));
}

/** One `job_events` row as the append statement takes it. */
interface EventRowInput {
  type: 'meta' | 'tokens';
  dataJson: string;
  eventCount: number;
}

/** A batch's events as rows: each meta event alone, each run of tokens as one `tokens` row. */
function toEventRows(events: readonly AppendEvent[]): EventRowInput[] {
  const rows: EventRowInput[] = [];
  let run: string[] = [];
  const endRun = () => {
    if (run.length === 0) return;
    rows.push({ type: 'tokens', dataJson: `[${run.join(',')}]`, eventCount: run.length });
    run = [];
  };
  for (const event of events) {
    if (event.type === 'token') {
      run.push(event.dataJson);
    } else {
      endRun();
      rows.push({ type: event.type, dataJson: event.dataJson, eventCount: 1 });
    }
  }
  endRun();
  return rows;
}

function appendStatement(client: SqlClient) {
  return async (items: readonly AppendItem[]): Promise<AppendResult[]> => {
    const rows = items.flatMap((item, index) =>
      toEventRows(item.events).map((row) => ({ position: index + 1, row })),
    );
    const results = await client.query<AppendRow>(APPEND_SQL, [
      items.map((item) => item.jobId),
      items.map((item) => item.providerId),
      items.map((item) => item.fencingToken),
      items.map((item) => item.batch),
      items.map((item) => item.events.length),
      items.map((item) => item.tokenCount),
      items.map((item) => item.leaseTokenHash),
      items.map((item) => item.leaseSeconds),
      rows.map(({ position }) => position),
      rows.map(({ row }) => row.type),
      rows.map(({ row }) => row.dataJson),
      rows.map(({ row }) => row.eventCount),
    ]);
    return items.map((item, index) => {
      const row = results[index];
      if (!row) return { outcome: 'not_found', stored: [] };
      return { outcome: row.outcome, stored: row.outcome === 'ok' ? storedRows(item, row) : [] };
    });
  };
}

export function createEventQueries(client: SqlClient, announcer: JobEventAnnouncer): EventQueries {
  const appends = new StatementCoalescer<AppendItem, AppendResult>({
    run: appendStatement(client),
    keyOf: (item) => item.jobId,
    maxItems: MAX_BATCHES_PER_STATEMENT,
    maxInFlight: MAX_APPENDS_IN_FLIGHT,
  });
  /** Checks one request before it reaches the statement; a malformed id never gets that far. */
  function toAppendItem(request: AppendRequest): AppendItem | AppendEventsResult {
    const { jobId, providerId, events, options = {} } = request;
    if (!isUuid(jobId)) return { ok: false, reason: 'not_found' };
    if (providerId !== null && !isUuid(providerId)) return { ok: false, reason: 'not_owner' };
    const storable = events.filter(isStorable);
    return {
      jobId,
      providerId,
      fencingToken: options.fencingToken ?? null,
      batch: options.batch ?? null,
      tokenCount: storable.filter((event) => event.event_type === 'token').length,
      leaseTokenHash: options.leaseToken === undefined ? null : hashLeaseToken(options.leaseToken),
      leaseSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
      events: storable.map(toAppendEvent),
    };
  }

  function settle(jobId: string, { outcome, stored }: AppendResult): AppendEventsResult {
    // A retry of a batch already stored (its response was lost): acknowledge, store nothing.
    if (outcome === 'duplicate') return { ok: true, inserted: 0, duplicate: true };
    if (outcome !== 'ok') return { ok: false, reason: outcome };
    if (stored.length > 0) announcer.eventsStored(jobId, stored);
    return { ok: true, inserted: stored.length, duplicate: false };
  }

  async function appendMany(requests: readonly AppendRequest[]): Promise<AppendEventsResult[]> {
    // Submitted in one turn, so the valid batches share one statement.
    return Promise.all(
      requests.map(toAppendItem).map(async (item) => {
        if (!('events' in item)) return item;
        return settle(item.jobId, await appends.submit(item));
      }),
    );
  }

  return {
    async append(jobId, providerId, events, options = {}) {
      const [result] = await appendMany([{ jobId, providerId, events, options }]);
      return result!;
    },

    appendMany,

    async listAfter(jobId, afterSeq, limit, options = {}) {
      if (!isUuid(jobId)) return [];
      // A row that starts at or before the cursor may still hold events after it;
      // no row spans more than MAX_EVENTS_PER_ROW, so the key range stays narrow.
      // A reader's first read also counts it, in the same round trip.
      const counting = options.countReader ? `WITH reader AS (${countReaderSql('$1', '1')}) ` : '';
      const rows = await client.query<EventRow>(
        `${counting}SELECT job_id, seq, type, data, created_at FROM job_events
         WHERE job_id = $1 AND seq > $2::bigint - $4::integer AND seq + event_count - 1 > $2::bigint
         ORDER BY seq
         LIMIT $3`,
        [jobId, afterSeq, limit, MAX_EVENTS_PER_ROW],
      );
      return rows
        .flatMap(toStoredEvents)
        .filter((event) => event.seq > afterSeq)
        .slice(0, limit);
    },
  };
}
