import { InfernetError } from '@infernet/protocol';
import { isUuid, toDate } from './column-values';
import type { SqlClient, SqlExecutor } from './sql-client';
import type { LedgerEntry, LedgerQueries } from './types';

/** The ledger account of a provider's earnings. */
export function providerAccount(providerId: string): string {
  return `provider:${providerId}`;
}

/** The counter-account of earnings until consumer accounts exist. */
export const CONSUMER_PAYMENTS_ACCOUNT = 'platform:consumer-payments';

const DECIMAL_PATTERN = /^\d{1,18}(\.\d{1,12})?$/;

/*
 * One earning transaction: the provider is credited and the consumer-payments
 * account debited by the same amount, in one statement. The unique
 * (kind, job_id) constraint, not the caller, guarantees a job earns once; a
 * conflict means the earning already exists and nothing is written. Amounts
 * are computed in numeric, never in floating point.
 */
const POST_EARNING_SQL = `
  WITH posted AS (
    INSERT INTO ledger_transactions (kind, job_id) VALUES ('job_earning', $1)
    ON CONFLICT (kind, job_id) DO NOTHING
    RETURNING id
  ), amount AS (
    SELECT round($3::numeric * $4::numeric / 1000000, 12) AS value
  )
  INSERT INTO ledger_entries (transaction_id, account, amount)
  SELECT posted.id, entry.account, entry.amount
  FROM posted, amount,
    LATERAL (VALUES ($2::text, amount.value), ($5::text, -amount.value)) AS entry(account, amount)`;

export async function postJobEarning(
  executor: SqlExecutor,
  input: { jobId: string; providerId: string; billedTokens: number; pricePerMillionTokens: string },
): Promise<void> {
  if (!DECIMAL_PATTERN.test(input.pricePerMillionTokens)) {
    throw new InfernetError('INTERNAL', 'a model price must be a non-negative decimal string');
  }
  await executor.query(POST_EARNING_SQL, [
    input.jobId,
    providerAccount(input.providerId),
    input.billedTokens,
    input.pricePerMillionTokens,
    CONSUMER_PAYMENTS_ACCOUNT,
  ]);
}

interface EntryRow {
  transaction_id: string;
  kind: 'job_earning';
  job_id: string;
  account: string;
  amount: string;
  created_at: unknown;
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
        `SELECT entries.transaction_id, transactions.kind, transactions.job_id, entries.account,
                ${NORMALISED_AMOUNT('entries.amount')} AS amount, entries.created_at
         FROM ledger_entries entries
         JOIN ledger_transactions transactions ON transactions.id = entries.transaction_id
         WHERE transactions.job_id = $1
         ORDER BY entries.id`,
        [jobId],
      );
      return rows.map((row): LedgerEntry => ({
        transactionId: row.transaction_id,
        kind: row.kind,
        jobId: row.job_id,
        account: row.account,
        amount: row.amount,
        createdAt: toDate(row.created_at),
      }));
    },
  };
}
