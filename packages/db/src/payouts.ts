import { isUuid, toDate } from './column-values';
import type { SqlClient } from './sql-client';
import type { PayoutQueries, PayoutRecord } from './types';

interface PayoutRow {
  provider_id: string;
  coin: string;
  address: string;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS = 'provider_id, coin, address, created_at, updated_at';

function toRecord(row: PayoutRow): PayoutRecord {
  return {
    providerId: row.provider_id,
    coin: row.coin,
    address: row.address,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/**
 * A provider's payout addresses, one per coin. Coin ids and address formats
 * are the caller's to check (protocol's `checkPayoutAddress`).
 */
export function createPayoutQueries(client: SqlClient): PayoutQueries {
  return {
    async set({ providerId, coin, address }) {
      const rows = await client.query<PayoutRow>(
        `INSERT INTO provider_payouts (provider_id, coin, address)
         VALUES ($1, $2, $3)
         ON CONFLICT (provider_id, coin) DO UPDATE
           SET address = excluded.address,
               updated_at = CASE WHEN provider_payouts.address = excluded.address
                 THEN provider_payouts.updated_at ELSE now() END
         RETURNING ${COLUMNS}`,
        [providerId, coin, address],
      );
      const row = rows[0];
      if (!row) throw new Error('upserting a payout address returned no row');
      return toRecord(row);
    },

    async list(providerId) {
      if (!isUuid(providerId)) return [];
      const rows = await client.query<PayoutRow>(
        `SELECT ${COLUMNS} FROM provider_payouts WHERE provider_id = $1 ORDER BY coin`,
        [providerId],
      );
      return rows.map(toRecord);
    },
  };
}
