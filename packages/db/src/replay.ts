import { toNumber, toTextParameter } from './column-values';
import type { SqlClient } from './sql-client';
import type { ReplayStore } from './types';

// A pair already recorded blocks the insert unless its row has expired, in
// which case the row is taken over as new; either way one statement decides,
// so two servers seeing the same nonce at once cannot both get `true`.
const REMEMBER_SQL = `
  INSERT INTO replay_nonces (public_key, nonce, expires_at)
  VALUES ($1, $2, $3::timestamptz)
  ON CONFLICT (public_key, nonce) DO UPDATE SET expires_at = excluded.expires_at
    WHERE replay_nonces.expires_at <= now()
  RETURNING 1 AS remembered`;

const PRUNE_SQL = `
  WITH pruned AS (
    DELETE FROM replay_nonces WHERE expires_at <= $1::timestamptz RETURNING 1
  )
  SELECT count(*) AS pruned FROM pruned`;

export function createReplayStore(client: SqlClient): ReplayStore {
  return {
    async remember(publicKey, nonce, expiresAt) {
      const rows = await client.query(REMEMBER_SQL, [
        toTextParameter(publicKey),
        toTextParameter(nonce),
        expiresAt.toISOString(),
      ]);
      return rows.length > 0;
    },

    async prune(now) {
      const rows = await client.query<{ pruned: unknown }>(PRUNE_SQL, [now.toISOString()]);
      return toNumber(rows[0]?.pruned ?? 0);
    },
  };
}
