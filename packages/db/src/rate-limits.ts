import { toNumber, toTextParameter } from './column-values';
import type { SqlClient } from './sql-client';
import type { RateLimitCounter, RateLimitQueries } from './types';

/*
 * Windows are timed by the database clock (`now()`), so server copies whose
 * clocks disagree still agree on when a window ends.
 */
const MS_BEFORE_RESET = `
  CASE WHEN expires_at IS NULL THEN -1
       ELSE greatest(0, ceil(extract(epoch FROM expires_at - now()) * 1000))
  END AS ms_before_reset`;

// One statement: two copies counting the same key at once both add, neither
// overwrites the other. A window that has ended, or $4 (restart), starts a
// new one from $2 points lasting $3 milliseconds (0: never ends).
const ADD_SQL = `
  INSERT INTO rate_limits AS counter (key, points, expires_at)
  VALUES ($1, $2, CASE WHEN $3::bigint > 0 THEN now() + $3::bigint * interval '1 millisecond' END)
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN $4::boolean OR counter.expires_at <= now() THEN excluded.points
                  ELSE counter.points + excluded.points END,
    expires_at = CASE WHEN $4::boolean OR counter.expires_at <= now() THEN excluded.expires_at
                      ELSE counter.expires_at END
  RETURNING points, ${MS_BEFORE_RESET}`;

const GET_SQL = `
  SELECT points, ${MS_BEFORE_RESET} FROM rate_limits
  WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())`;

const DELETE_SQL = `DELETE FROM rate_limits WHERE key = $1 RETURNING 1 AS deleted`;

const PRUNE_SQL = `
  WITH pruned AS (DELETE FROM rate_limits WHERE expires_at <= now() RETURNING 1)
  SELECT count(*) AS pruned FROM pruned`;

interface CounterRow {
  points: unknown;
  ms_before_reset: unknown;
}

function toCounter(row: CounterRow): RateLimitCounter {
  return { points: toNumber(row.points), msBeforeReset: toNumber(row.ms_before_reset) };
}

export function createRateLimitQueries(client: SqlClient): RateLimitQueries {
  return {
    async add(key, points, windowMs, options = {}) {
      const rows = await client.query<CounterRow>(ADD_SQL, [
        toTextParameter(key),
        points,
        Math.max(0, Math.round(windowMs)),
        options.restart ?? false,
      ]);
      return toCounter(rows[0]!);
    },

    async get(key) {
      const rows = await client.query<CounterRow>(GET_SQL, [toTextParameter(key)]);
      return rows[0] ? toCounter(rows[0]) : null;
    },

    async delete(key) {
      return (await client.query(DELETE_SQL, [toTextParameter(key)])).length > 0;
    },

    async prune() {
      const rows = await client.query<{ pruned: unknown }>(PRUNE_SQL);
      return toNumber(rows[0]?.pruned ?? 0);
    },
  };
}
