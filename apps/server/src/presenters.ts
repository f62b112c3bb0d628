import type { JobRecord, ProviderRecord } from '@infernet/db';
import type { NodeJob, NodeRow, PublicProvider } from '@infernet/protocol';

/** Formats stored records for the wire. The only place records become responses. */
export function toNodeRow(provider: ProviderRecord): NodeRow {
  return {
    id: provider.id,
    node_id: provider.nodeId,
    public_key: provider.publicKey,
    role: provider.role,
    name: provider.name,
    status: provider.status,
    address: provider.address,
    port: provider.port,
    gpu_model: provider.gpuModel,
    price: provider.price,
    specs: provider.specs,
    last_seen: provider.lastSeenAt?.toISOString() ?? null,
    created_at: provider.createdAt.toISOString(),
    listed: provider.listed,
  };
}

export function toNodeJob(job: JobRecord): NodeJob {
  // Narrowed per type so the compiler sees each input travel with its own type.
  const payload =
    job.type === 'chat'
      ? { type: job.type, input_spec: job.input }
      : { type: job.type, input_spec: job.input };
  return {
    id: job.id,
    title: job.title,
    ...payload,
    status: job.status,
    payment_offer: 0,
    payment_coin: null,
    model_name: job.model,
    created_at: job.createdAt.toISOString(),
    fencing_token: job.fencingToken,
    lease_expires_at: job.leaseExpiresAt?.toISOString() ?? null,
    attempt: job.attempts,
    ...(job.leaseToken === undefined ? {} : { lease_token: job.leaseToken }),
  };
}

export function isOnline(
  provider: ProviderRecord,
  nowMs: number,
  livenessSeconds: number,
): boolean {
  return (
    provider.status !== 'offline' &&
    provider.lastSeenAt !== null &&
    nowMs - provider.lastSeenAt.getTime() <= livenessSeconds * 1000
  );
}

/** Public view: coarse capability only — no key, address, port or price internals. */
export function toPublicProvider(
  provider: ProviderRecord,
  nowMs: number,
  livenessSeconds: number,
): PublicProvider {
  const online = isOnline(provider, nowMs, livenessSeconds);
  return {
    id: provider.id,
    name: provider.name,
    status: online ? provider.status : 'offline',
    online,
    gpus: provider.specs.gpus,
    gpu_count: provider.specs.gpu_count,
    models: provider.specs.served_models,
    last_seen: provider.lastSeenAt?.toISOString() ?? null,
  };
}
