import { toJsonParameter, toTextParameter } from './column-values';
import { JOB_COLUMNS, toJobRecord, type JobRow } from './job-rows';
import { JOB_AVAILABLE_CHANNEL } from './notification-hub';
import type { SqlClient } from './sql-client';
import type { JobQueries } from './types';

/*
 * An embedding job joins the one queue chat jobs use: same table, same
 * claim, same leases; only `type` and `input` differ. Capacity check,
 * insert and notify are one statement, as for chat, so a woken node always
 * finds the job and nothing is stored when no live node serves the model.
 *
 * $1 model, $2 title, $3 input, $4 stream token hash, $5 liveness seconds
 * (or NULL: no check), $6 owner.
 */
const CREATE_EMBEDDING_SQL = `
  WITH inserted AS (
    INSERT INTO jobs (type, model, title, input, stream_token_hash, owner_account_id)
    SELECT 'embedding', $1, $2, $3::text::jsonb, $4, $6
    WHERE $5::integer IS NULL OR EXISTS (
      SELECT 1 FROM providers
      WHERE status <> 'offline'
        AND last_seen > now() - make_interval(secs => $5)
        AND jsonb_typeof(specs -> 'served_models') = 'array'
        AND specs -> 'served_models' ? $1
    )
    RETURNING ${JOB_COLUMNS}
  )
  SELECT inserted.*, pg_notify('${JOB_AVAILABLE_CHANNEL}', inserted.model) AS notified
  FROM inserted`;

/** Queuing embedding jobs; part of `JobQueries`. */
export function createEmbeddingJobQueries(client: SqlClient): Pick<JobQueries, 'createEmbedding'> {
  return {
    async createEmbedding(input) {
      const rows = await client.query<JobRow>(CREATE_EMBEDDING_SQL, [
        input.model,
        toTextParameter(input.title),
        toJsonParameter(input.input),
        input.streamTokenHash,
        input.requireLiveProviderWithinSeconds ?? null,
        input.ownerAccountId ?? null,
      ]);
      return rows[0] ? toJobRecord(rows[0]) : null;
    },
  };
}
