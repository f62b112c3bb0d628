import {
  InfernetError,
  type ModelSummary,
  type NodeRole,
  type NodeSpecs,
  type NodeStatus,
} from '@infernet/protocol';
import {
  isUuid,
  toDate,
  toJsonParameter,
  toNullableDate,
  toNullableNumber,
  toNumber,
} from './column-values';
import { JOB_AVAILABLE_CHANNEL, JOB_EVENTS_CHANNEL } from './notification-hub';
import { NIM_FALLBACK_PROVIDER } from './job-queue';
import type { SqlClient } from './sql-client';
import type { ProviderQueries, ProviderRecord, RegisterProviderResult } from './types';

export interface ProviderRow {
  id: string;
  public_key: string;
  node_id: string;
  role: NodeRole;
  name: string | null;
  status: NodeStatus;
  address: string | null;
  port: number | null;
  gpu_model: string | null;
  price: unknown;
  specs: NodeSpecs;
  listed: boolean;
  last_seen: unknown;
  created_at: unknown;
}

export const PROVIDER_COLUMNS =
  'id, public_key, node_id, role, name, status, address, port, gpu_model, price, specs, listed, last_seen, created_at';

export function toProviderRecord(row: ProviderRow): ProviderRecord {
  return {
    id: row.id,
    publicKey: row.public_key,
    nodeId: row.node_id,
    role: row.role,
    name: row.name,
    status: row.status,
    address: row.address,
    port: toNullableNumber(row.port),
    gpuModel: row.gpu_model,
    price: toNullableNumber(row.price),
    specs: row.specs,
    listed: row.listed,
    lastSeenAt: toNullableDate(row.last_seen),
    createdAt: toDate(row.created_at),
  };
}

function isNodeIdConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'providers_node_id_unique';
}

const REGISTER_SQL = `
  INSERT INTO providers
    (public_key, node_id, role, name, status, address, port, gpu_model, price, specs, listed,
      last_seen)
  VALUES ($1, $2, $3, $4, $5, $6, $7::integer, $8, $9::numeric, $10::text::jsonb, $11, now())
  ON CONFLICT (public_key) DO UPDATE SET
    node_id = excluded.node_id,
    role = excluded.role,
    name = excluded.name,
    status = excluded.status,
    address = excluded.address,
    port = excluded.port,
    gpu_model = excluded.gpu_model,
    price = excluded.price,
    specs = excluded.specs,
    listed = excluded.listed,
    last_seen = now(),
    updated_at = now()
  RETURNING ${PROVIDER_COLUMNS}`;

// `undefined` fields keep the stored value, so each has a "given" flag beside it.
const HEARTBEAT_SQL = `
  UPDATE providers SET
    status = $2,
    address = CASE WHEN $3::boolean THEN $4::text ELSE address END,
    port = CASE WHEN $5::boolean THEN $6::integer ELSE port END,
    specs = CASE WHEN $7::boolean THEN $8::text::jsonb ELSE specs END,
    last_seen = now(),
    updated_at = now()
  WHERE public_key = $1
  RETURNING ${PROVIDER_COLUMNS}`;

// A job handed to a provider that then leaves would otherwise wait for a lease
// sweep. One that has not streamed anything yet goes straight back to the
// queue; one that has is failed, because splicing a second node's output onto
// the first one's would corrupt the answer the consumer already sees.
const REQUEUE_HELD_JOBS_SQL = `
  WITH requeued AS (
    UPDATE jobs SET status = 'queued', provider_id = NULL, lease_expires_at = NULL,
      assigned_at = NULL, updated_at = now()
    WHERE provider_id = $1 AND status = 'assigned'
    RETURNING model
  )
  SELECT model, pg_notify('${JOB_AVAILABLE_CHANNEL}', model) AS notified
  FROM (SELECT DISTINCT model FROM requeued) AS models`;

const FAIL_RUNNING_JOBS_SQL = `
  WITH failed AS (
    UPDATE jobs SET status = 'failed', error = $2, completed_at = now(), updated_at = now(),
      lease_expires_at = NULL, event_seq = event_seq + 1
    WHERE provider_id = $1 AND status = 'running'
    RETURNING id, event_seq
  ), terminal_events AS (
    INSERT INTO job_events (job_id, seq, type, data)
    SELECT id, event_seq, 'error', jsonb_build_object('message', $2::text) FROM failed
  )
  SELECT id::text AS id, pg_notify('${JOB_EVENTS_CHANNEL}', id::text) AS notified FROM failed`;

const PROVIDER_REMOVED_MESSAGE = 'The provider running this job left the network.';

const SERVED_MODELS_SQL = `
  SELECT model AS name, count(DISTINCT providers.id) AS nodes
  FROM providers
  CROSS JOIN LATERAL jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(specs -> 'served_models') = 'array'
      THEN specs -> 'served_models' ELSE '[]'::jsonb END
  ) AS model
  WHERE status <> 'offline' AND last_seen > now() - make_interval(secs => $1)
  GROUP BY model
  ORDER BY nodes DESC, name`;

export function createProviderQueries(client: SqlClient): ProviderQueries {
  async function findOne(where: string, value: string): Promise<ProviderRecord | null> {
    const rows = await client.query<ProviderRow>(
      `SELECT ${PROVIDER_COLUMNS} FROM providers WHERE ${where} = $1`,
      [value],
    );
    return rows[0] ? toProviderRecord(rows[0]) : null;
  }

  return {
    async register(input): Promise<RegisterProviderResult> {
      try {
        const rows = await client.query<ProviderRow>(REGISTER_SQL, [
          input.publicKey,
          input.nodeId,
          input.role,
          input.name,
          input.status,
          input.address,
          input.port,
          input.gpuModel,
          input.price,
          toJsonParameter(input.specs),
          input.listed ?? true,
        ]);
        const row = rows[0];
        if (!row) throw new InfernetError('INTERNAL', 'provider upsert returned no row');
        return { ok: true, provider: toProviderRecord(row) };
      } catch (error) {
        // The upsert only resolves conflicts on public_key, so a node_id held by another key lands here.
        if (isNodeIdConflict(error)) return { ok: false, reason: 'node_id_taken' };
        throw error;
      }
    },

    async heartbeat(publicKey, input) {
      const rows = await client.query<ProviderRow>(HEARTBEAT_SQL, [
        publicKey,
        input.status,
        input.address !== undefined,
        input.address ?? null,
        input.port !== undefined,
        input.port ?? null,
        input.specs !== undefined,
        input.specs === undefined ? null : toJsonParameter(input.specs),
      ]);
      return rows[0] ? toProviderRecord(rows[0]) : null;
    },

    findByPublicKey: (publicKey) => findOne('public_key', publicKey),

    findById: async (id) => (isUuid(id) ? findOne('id', id) : null),

    async remove(publicKey) {
      return client.transaction(async (executor) => {
        const locked = await executor.query<{ id: string }>(
          'SELECT id FROM providers WHERE public_key = $1 FOR UPDATE',
          [publicKey],
        );
        const id = locked[0]?.id;
        if (id === undefined) return { deleted: false, requeuedModels: [], failedJobIds: [] };
        const requeued = await executor.query<{ model: string }>(REQUEUE_HELD_JOBS_SQL, [id]);
        const failed = await executor.query<{ id: string }>(FAIL_RUNNING_JOBS_SQL, [
          id,
          PROVIDER_REMOVED_MESSAGE,
        ]);
        await executor.query('DELETE FROM providers WHERE id = $1', [id]);
        return {
          deleted: true,
          id,
          requeuedModels: requeued.map((row) => row.model),
          failedJobIds: failed.map((row) => row.id),
        };
      });
    },

    async list({ limit, listedOnly = false }) {
      const rows = await client.query<ProviderRow>(
        `SELECT ${PROVIDER_COLUMNS} FROM providers
         WHERE id <> $2 AND (listed OR NOT $3::boolean)
         ORDER BY last_seen DESC NULLS LAST, created_at DESC, id
         LIMIT $1`,
        // The control plane's own fallback row is not a node.
        [limit, NIM_FALLBACK_PROVIDER.id, listedOnly],
      );
      return rows.map(toProviderRecord);
    },

    async servedModels({ livenessSeconds }): Promise<ModelSummary[]> {
      const rows = await client.query<{ name: string; nodes: unknown }>(SERVED_MODELS_SQL, [
        livenessSeconds,
      ]);
      return rows.map((row) => ({ name: row.name, nodes: toNumber(row.nodes) }));
    },
  };
}
