import type { JobStatus } from '@infernet/protocol';
import { isUuid, toDate, toNullableDate, toNumber } from './column-values';
import { PROVIDER_COLUMNS, toProviderRecord, type ProviderRow } from './providers';
import type { SqlClient } from './sql-client';
import type { ProviderRecord } from './types';

/** The signed-in account, as the dashboard shows it. */
export interface AccountProfileRecord {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

/** A node linked to an account, with what it has done. */
export interface AccountNodeRecord {
  provider: ProviderRecord;
  jobsCompleted: number;
  tokensServed: number;
  /** The sum of the node's ledger entries: exact decimal text ("0" when none). */
  earnings: string;
}

/** A job an account's node served: metadata only, never its prompt or output. */
export interface AccountJobRecord {
  id: string;
  model: string;
  status: JobStatus;
  providerId: string;
  createdAt: Date;
  completedAt: Date | null;
  tokens: number;
  /** Why it failed (the job's `error`), or null. */
  error: string | null;
  /** The `code` of its terminal `error` event, when it had one with a code. */
  failureCode: string | null;
}

/** A node's recent work, for its public page. */
export interface ProviderActivity {
  jobsCompleted: number;
  jobsCompletedLastHour: number;
  tokensServedLastHour: number;
}

export interface DashboardQueries {
  /** The account's own row, or null when there is none. */
  accountProfile(accountId: string): Promise<AccountProfileRecord | null>;
  /** Nodes linked to the account, oldest link first, with their totals and ledger earnings. */
  accountNodes(accountId: string): Promise<AccountNodeRecord[]>;
  /** The most recent jobs held by the account's nodes, newest first, at most `limit`. */
  accountJobs(accountId: string, limit: number): Promise<AccountJobRecord[]>;
  /** Completed jobs of one node, all time and over the last hour (database clock). */
  providerActivity(providerId: string): Promise<ProviderActivity>;
  /** Tokens and jobs of the jobs completed in the last `windowSeconds` (database clock). */
  networkThroughput(windowSeconds: number): Promise<{ tokens: number; jobs: number }>;
}

/*
 * A job's tokens, over a `jobs` row: those streamed to the consumer for a
 * chat (what is billed), the input tokens the node reported for an
 * embedding, which streams nothing. Kept in the database so a job's result
 * (its output) never leaves it for this.
 */
const SERVED_TOKENS = `CASE WHEN jobs.type = 'embedding'
    THEN CASE WHEN jsonb_typeof(jobs.result -> 'usage' -> 'prompt_tokens') = 'number'
      THEN least(greatest((jobs.result -> 'usage' ->> 'prompt_tokens')::numeric, 0),
        2147483647)::bigint
      ELSE 0 END
    ELSE jobs.delivered_tokens END`;

/*
 * Earnings are the sum of the node's ledger account, as `providerAccount`
 * names it (`provider:<id>`): balances are derived from entries, never stored.
 */
const ACCOUNT_NODES_SQL = `
  SELECT ${PROVIDER_COLUMNS},
    stats.jobs_completed, stats.tokens_served,
    (SELECT trim_scale(coalesce(sum(amount), 0))::text FROM ledger_entries
     WHERE account = 'provider:' || providers.id::text) AS earnings
  FROM providers
  CROSS JOIN LATERAL (
    SELECT count(*) AS jobs_completed, coalesce(sum(${SERVED_TOKENS}), 0) AS tokens_served
    FROM jobs WHERE jobs.provider_id = providers.id AND jobs.status = 'completed'
  ) AS stats
  WHERE providers.owner_account_id = $1
  ORDER BY providers.created_at, providers.id`;

/*
 * Each node's newest jobs (an index walk per node), then the newest of
 * those overall. The failure code is read from the job's last `error`
 * event, where every way of failing records it.
 */
const ACCOUNT_JOBS_SQL = `
  WITH recent AS (
    SELECT job.* FROM providers
    CROSS JOIN LATERAL (
      SELECT jobs.id, jobs.model, jobs.status, jobs.provider_id, jobs.created_at,
        jobs.completed_at, ${SERVED_TOKENS} AS tokens, jobs.error
      FROM jobs WHERE jobs.provider_id = providers.id
      ORDER BY jobs.created_at DESC LIMIT $2
    ) AS job
    WHERE providers.owner_account_id = $1
    ORDER BY job.created_at DESC, job.id DESC LIMIT $2
  )
  SELECT recent.*,
    (SELECT job_events.data ->> 'code' FROM job_events
     WHERE job_events.job_id = recent.id AND job_events.type = 'error'
     ORDER BY job_events.seq DESC LIMIT 1) AS failure_code
  FROM recent
  ORDER BY recent.created_at DESC, recent.id DESC`;

const PROVIDER_ACTIVITY_SQL = `
  SELECT count(*) AS jobs_completed,
    count(*) FILTER (WHERE jobs.completed_at > now() - interval '1 hour') AS jobs_last_hour,
    coalesce(sum(${SERVED_TOKENS}) FILTER (WHERE jobs.completed_at > now() - interval '1 hour'),
      0) AS tokens_last_hour
  FROM jobs WHERE jobs.provider_id = $1 AND jobs.status = 'completed'`;

const NETWORK_THROUGHPUT_SQL = `
  SELECT coalesce(sum(${SERVED_TOKENS}), 0) AS tokens, count(*) AS jobs
  FROM jobs
  WHERE jobs.status = 'completed' AND jobs.completed_at > now() - make_interval(secs => $1)`;

interface AccountJobRow {
  id: string;
  model: string;
  status: JobStatus;
  provider_id: string;
  created_at: unknown;
  completed_at: unknown;
  tokens: unknown;
  error: string | null;
  failure_code: string | null;
}

export function createDashboardQueries(client: SqlClient): DashboardQueries {
  return {
    async accountProfile(accountId) {
      const rows = await client.query<{
        id: string;
        email: string;
        name: string;
        created_at: unknown;
      }>('SELECT id, email, name, created_at FROM accounts WHERE id = $1', [accountId]);
      const row = rows[0];
      return row
        ? { id: row.id, email: row.email, name: row.name, createdAt: toDate(row.created_at) }
        : null;
    },

    async accountNodes(accountId) {
      const rows = await client.query<
        ProviderRow & { jobs_completed: unknown; tokens_served: unknown; earnings: string }
      >(ACCOUNT_NODES_SQL, [accountId]);
      return rows.map((row) => ({
        provider: toProviderRecord(row),
        jobsCompleted: toNumber(row.jobs_completed),
        tokensServed: toNumber(row.tokens_served),
        earnings: row.earnings,
      }));
    },

    async accountJobs(accountId, limit) {
      const rows = await client.query<AccountJobRow>(ACCOUNT_JOBS_SQL, [accountId, limit]);
      return rows.map((row) => ({
        id: row.id,
        model: row.model,
        status: row.status,
        providerId: row.provider_id,
        createdAt: toDate(row.created_at),
        completedAt: toNullableDate(row.completed_at),
        tokens: toNumber(row.tokens),
        error: row.error,
        failureCode: row.failure_code,
      }));
    },

    async providerActivity(providerId) {
      if (!isUuid(providerId)) {
        return { jobsCompleted: 0, jobsCompletedLastHour: 0, tokensServedLastHour: 0 };
      }
      const rows = await client.query<{
        jobs_completed: unknown;
        jobs_last_hour: unknown;
        tokens_last_hour: unknown;
      }>(PROVIDER_ACTIVITY_SQL, [providerId]);
      const row = rows[0];
      return {
        jobsCompleted: toNumber(row?.jobs_completed ?? 0),
        jobsCompletedLastHour: toNumber(row?.jobs_last_hour ?? 0),
        tokensServedLastHour: toNumber(row?.tokens_last_hour ?? 0),
      };
    },

    async networkThroughput(windowSeconds) {
      const rows = await client.query<{ tokens: unknown; jobs: unknown }>(NETWORK_THROUGHPUT_SQL, [
        windowSeconds,
      ]);
      return { tokens: toNumber(rows[0]?.tokens ?? 0), jobs: toNumber(rows[0]?.jobs ?? 0) };
    },
  };
}
