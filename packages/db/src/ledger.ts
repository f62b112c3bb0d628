import { InfernetError } from '@infernet/protocol';
import { isUuid, toDate } from './column-values';
import type { SqlClient } from './sql-client';
import type { LedgerEntry, LedgerQueries } from './types';

/** The ledger account of a provider's earnings. */
export function providerAccount(providerId: string): string {
  return `provider:${providerId}`;
}

/** `providerAccount` in SQL, for a provider id column. */
export function providerAccountSql(providerIdColumn: string): string {
  return `'provider:' || ${providerIdColumn}::text`;
}

/** The counter-account of earnings until consumer accounts exist. */
export const CONSUMER_PAYMENTS_ACCOUNT = 'platform:consumer-payments';

const DECIMAL_PATTERN = /^\d{1,18}(\.\d{1,12})?$/;

/*
 * The earnings of the jobs a statement finishes, as a CTE to append to it:
 * one transfer per job, from the consumer-payments account to the provider.
 * The unique (job_id, kind) constraint, not the caller, guarantees a job
 * earns once; on conflict nothing is written. Amounts are computed in
 * numeric, never in floating point. The price is looked up by the finished
 * job's model in the same statement, so completing costs no extra read.
 * Every expression is over the `finished` CTE's row (id, model and whatever
 * columns the caller carried along).
 */
export function earningSql(options: {
  finished: string;
  condition: string;
  billedTokens: string;
  /** Price per million tokens when the model has none of its own (decimal text). */
  defaultPrice: string;
  /** Per-model prices (jsonb object of decimal text). */
  modelPrices: string;
  /** The credited account (text). */
  account: string;
  /** The debited account (text). */
  counterAccount: string;
}): string {
  const finished = options.finished;
  const price = `coalesce((${options.modelPrices}) ->> ${finished}.model, ${options.defaultPrice})`;
  return `earning AS (
    INSERT INTO ledger_transfers (kind, job_id, debit_account, credit_account, amount)
    SELECT 'job_earning', ${finished}.id, (${options.counterAccount})::text,
      (${options.account})::text,
      round((${options.billedTokens})::numeric * (${price})::numeric / 1000000, 12)
    FROM ${finished} WHERE ${options.condition}
    ON CONFLICT (job_id, kind) DO NOTHING
  )`;
}

/** A completion's pricing, checked: prices are decimal text, never floating point. */
export function earningValues(input: {
  pricePerMillionTokens: string;
  modelPrices: Record<string, string>;
}): { defaultPrice: string; modelPrices: string } {
  for (const price of [input.pricePerMillionTokens, ...Object.values(input.modelPrices)]) {
    if (!DECIMAL_PATTERN.test(price)) {
      throw new InfernetError('INTERNAL', 'a model price must be a non-negative decimal string');
    }
  }
  return {
    defaultPrice: input.pricePerMillionTokens,
    modelPrices: JSON.stringify(input.modelPrices),
  };
}

interface EntryRow {
  transfer_id: string;
  kind: 'job_earning';
  job_id: string;
  account: string;
  amount: string;
  created_at: unknown;
}

function toEntry(row: EntryRow): LedgerEntry {
  return {
    transferId: row.transfer_id,
    kind: row.kind,
    jobId: row.job_id,
    account: row.account,
    amount: row.amount,
    createdAt: toDate(row.created_at),
  };
}

/** Normalises numeric text ("1.500000000000" → "1.5") so balances compare as strings. */
const NORMALISED_AMOUNT = (column: string) => `trim_scale(${column})::text`;

export function createLedgerQueries(client: SqlClient): LedgerQueries {
  return {
    async balance(account) {
      const rows = await client.query<{ balance: string }>(
        `SELECT ${NORMALISED_AMOUNT('coalesce(sum(amount), 0)')} AS balance
         FROM ledger_entries WHERE account = $1`,
        [account],
      );
      return rows[0]?.balance ?? '0';
    },

    async entriesForJob(jobId) {
      if (!isUuid(jobId)) return [];
      const rows = await client.query<EntryRow>(
        `SELECT transfer_id, kind, job_id, account, ${NORMALISED_AMOUNT('amount')} AS amount,
                created_at
         FROM ledger_entries WHERE job_id = $1
         ORDER BY transfer_id, side`,
        [jobId],
      );
      return rows.map(toEntry);
    },

    async recentEntries(account, limit) {
      const rows = await client.query<EntryRow>(
        `SELECT transfer_id, kind, job_id, account, ${NORMALISED_AMOUNT('amount')} AS amount,
                created_at
         FROM ledger_entries WHERE account = $1
         ORDER BY created_at DESC, transfer_id DESC
         LIMIT $2`,
        [account, limit],
      );
      return rows.map(toEntry);
    },
  };
}
