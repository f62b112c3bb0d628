import { MAX_ERROR_MESSAGE_CHARACTERS } from '@infernet/protocol';
import { isUuid, toDate, toJsonParameter, toNumber, toTextParameter } from './column-values';
import type { JobEventAnnouncer } from './job-event-notifier';
import { JOB_COLUMN_NAMES, toJobRecord, type JobRow } from './job-rows';
import { hashLeaseToken } from './lease-tokens';
import { CONSUMER_PAYMENTS_ACCOUNT, earningSql, earningValues, providerAccountSql } from './ledger';
import type { SqlClient } from './sql-client';
import { StatementCoalescer } from './statement-coalescer';
import type { CompleteJobInput, CompleteJobResult, JobWriteFailure, StoredEvent } from './types';

const FALLBACK_FAILURE_MESSAGE = 'The provider reported a failure.';
/** Begin/end-of-text markers a tokenizer may add to each embedded text. */
const SPECIAL_TOKENS_PER_TEXT = 2;

const columnsOf = (table: string) =>
  JOB_COLUMN_NAMES.map((column) => `${table}.${column}`).join(', ');

/*
 * Completions of several jobs in one statement (StatementCoalescer merges
 * those that arrive while another runs): per job, lock and judge the write
 * with the shared rule, finish the job, store the terminal event with the
 * next sequence number and post the earning. Rows are locked in id order,
 * so two such statements never deadlock. Readers are told afterwards
 * (JobEventNotifier), with the stored terminal event, so this process's
 * readers need not read it back. A repeated completion by the holder finds
 * the job finished and writes nothing. A job appears at most once per
 * statement.
 *
 * Billed tokens of a chat are those stored for the consumer, capped by the
 * engine's own count when the node reports one: a node cannot raise its
 * earning by splitting tokens into more events, nor by over-reporting
 * usage. An embedding streams nothing, so its bill is the prompt tokens the
 * node reports, capped by its texts' size in bytes plus a few special
 * tokens per text (no tokenizer makes more tokens than bytes).
 *
 * Per job (arrays): $1 job, $2 provider, $3 fencing token, $4 final status,
 * $5 result JSON, $6 error, $7 terminal event data (finished_at is added
 * here), $8 completion tokens the node reported, $13 prompt tokens it
 * reported, $9 default price, $10 model prices JSON, $11 the SHA-256 of the
 * claim's lease token when the node presented one instead of a signature
 * (the writer is then the job's holder if it matches, nobody if not, as
 * for appends); $12 the consumer-payments account. The earning is credited
 * to the job's holder, which the verdict made sure is the writer.
 */
const COMPLETE_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[],
      $6::text[], $7::text[], $8::integer[], $9::text[], $10::text[], $11::text[], $13::integer[])
      WITH ORDINALITY AS input(job_id, provider_id, fencing_token, final_status, result,
        error, terminal_data, reported_tokens, default_price, model_prices, lease_token_hash,
        reported_prompt_tokens, position)
  ), job AS (
    SELECT input.position, ${columnsOf('jobs')},
      infernet_job_write_failure(jobs.status, jobs.provider_id, jobs.fencing_token,
        CASE WHEN input.lease_token_hash IS NULL THEN input.provider_id
             WHEN jobs.lease_token_hash = input.lease_token_hash THEN jobs.provider_id END,
        input.fencing_token) AS failure
    FROM input JOIN jobs ON jobs.id = input.job_id
    ORDER BY jobs.id
    FOR NO KEY UPDATE OF jobs
  ), verdict AS (
    SELECT position, id, CASE
      WHEN failure IS NOT NULL THEN failure
      WHEN status IN ('completed', 'failed') THEN 'unchanged'
      ELSE 'finished' END AS outcome
    FROM job
  ), finished AS (
    UPDATE jobs SET
      status = input.final_status, result = input.result::jsonb, error = input.error,
      completed_at = now(), updated_at = now(), lease_expires_at = NULL,
      event_seq = jobs.event_seq + 1
    FROM verdict JOIN input ON input.position = verdict.position
    WHERE jobs.id = verdict.id AND verdict.outcome = 'finished'
    RETURNING verdict.position, ${columnsOf('jobs')}, jobs.event_seq, input.final_status,
      input.terminal_data, input.reported_tokens, input.reported_prompt_tokens,
      input.default_price, input.model_prices
  ), terminal AS (
    INSERT INTO job_events (job_id, seq, type, data)
    SELECT id, event_seq,
      CASE WHEN final_status = 'completed' THEN 'done' ELSE 'error' END,
      CASE WHEN final_status = 'completed'
        THEN terminal_data::jsonb || jsonb_build_object('finished_at',
          to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        ELSE terminal_data::jsonb END
    FROM finished
    RETURNING job_id, seq, type, data, created_at
  ), ${earningSql({
    finished: 'finished',
    condition: "finished.final_status = 'completed'",
    billedTokens: `CASE WHEN finished.type = 'embedding'
      THEN least(coalesce(finished.reported_prompt_tokens, 0),
        (SELECT coalesce(sum(octet_length(text) + ${SPECIAL_TOKENS_PER_TEXT}), 0)
         FROM jsonb_array_elements_text(finished.input -> 'input') AS text))
      ELSE least(finished.delivered_tokens,
        coalesce(finished.reported_tokens, finished.delivered_tokens)) END`,
    defaultPrice: 'finished.default_price',
    modelPrices: 'finished.model_prices::jsonb',
    account: providerAccountSql('finished.provider_id'),
    counterAccount: '$12',
  })}
  SELECT position, 'finished' AS outcome, ${columnsOf('finished')},
    terminal.seq AS terminal_seq, terminal.type AS terminal_type,
    terminal.data AS terminal_event_data, terminal.created_at AS terminal_created_at
  FROM finished JOIN terminal ON terminal.job_id = finished.id
  UNION ALL
  SELECT verdict.position, verdict.outcome, ${columnsOf('job')},
    NULL::bigint, NULL::text, NULL::jsonb, NULL::timestamptz
  FROM verdict JOIN job ON job.position = verdict.position
  WHERE verdict.outcome <> 'finished'`;

/** The most completions one statement carries. */
const MAX_COMPLETIONS_PER_STATEMENT = 64;
/** Completions running at once; more arrive while they run and go out together next. */
const MAX_COMPLETIONS_IN_FLIGHT = 2;

type CompleteOutcome = JobWriteFailure | 'finished' | 'unchanged';
type CompletionRow = JobRow & {
  position: unknown;
  outcome: CompleteOutcome;
  /** The terminal event a finishing completion stored; null otherwise. */
  terminal_seq: unknown;
  terminal_type: 'done' | 'error' | null;
  terminal_event_data: Record<string, unknown> | null;
  terminal_created_at: unknown;
};

/** The terminal event the statement stored, for this process's readers (no read back). */
function terminalEvent(row: CompletionRow): StoredEvent {
  return {
    jobId: row.id,
    seq: toNumber(row.terminal_seq),
    type: row.terminal_type!,
    data: row.terminal_event_data!,
    createdAt: toDate(row.terminal_created_at),
  };
}

interface CompletionItem {
  input: CompleteJobInput;
  error: string | null;
  pricing: ReturnType<typeof earningValues>;
}

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

function completionStatement(client: SqlClient) {
  return async (items: readonly CompletionItem[]): Promise<(CompletionRow | undefined)[]> => {
    const rows = await client.query<CompletionRow>(COMPLETE_SQL, [
      items.map(({ input }) => input.jobId),
      items.map(({ input }) => input.providerId),
      items.map(({ input }) => input.fencingToken ?? null),
      items.map(({ input }) => input.status),
      items.map(({ input }) => (input.result === null ? null : toJsonParameter(input.result))),
      items.map(({ error }) => error),
      items.map(({ input, error }) => toJsonParameter(terminalEventData(input, error))),
      items.map(({ input }) => input.result?.usage?.completion_tokens ?? null),
      items.map(({ pricing }) => pricing.defaultPrice),
      items.map(({ pricing }) => pricing.modelPrices),
      items.map(({ input }) =>
        input.leaseToken === undefined ? null : hashLeaseToken(input.leaseToken),
      ),
      CONSUMER_PAYMENTS_ACCOUNT,
      items.map(({ input }) => input.result?.usage?.prompt_tokens ?? null),
    ]);
    const byPosition = new Map(rows.map((row) => [Number(row.position), row]));
    return items.map((_, index) => byPosition.get(index + 1));
  };
}

/** `jobs.complete`: merged into shared statements under load, one round trip when idle. */
export function createJobCompletion(client: SqlClient, announcer: JobEventAnnouncer) {
  const completions = new StatementCoalescer<CompletionItem, CompletionRow | undefined>({
    run: completionStatement(client),
    keyOf: ({ input }) => input.jobId,
    maxItems: MAX_COMPLETIONS_PER_STATEMENT,
    maxInFlight: MAX_COMPLETIONS_IN_FLIGHT,
  });
  return async function complete(input: CompleteJobInput): Promise<CompleteJobResult> {
    if (!isUuid(input.jobId)) return { ok: false, reason: 'not_found' };
    if (input.providerId !== null && !isUuid(input.providerId)) {
      return { ok: false, reason: 'not_owner' };
    }
    const error =
      input.error === null
        ? null
        : toTextParameter(input.error.slice(0, MAX_ERROR_MESSAGE_CHARACTERS));
    const row = await completions.submit({
      input,
      error,
      pricing: earningValues({
        pricePerMillionTokens: input.pricePerMillionTokens ?? '0',
        modelPrices: input.modelPrices ?? {},
      }),
    });
    if (!row) return { ok: false, reason: 'not_found' };
    if (row.outcome === 'finished') {
      announcer.eventsStored(input.jobId, [terminalEvent(row)]);
      return { ok: true, job: toJobRecord(row), changed: true };
    }
    // A retry after a lost response: the first completion stands and nothing is written.
    if (row.outcome === 'unchanged') return { ok: true, job: toJobRecord(row), changed: false };
    return { ok: false, reason: row.outcome };
  };
}
