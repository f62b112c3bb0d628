import type {
  AccountJobRecord,
  AccountNodeRecord,
  AccountProfileRecord,
  ProviderActivity,
  ProviderRecord,
} from '@infernet/db';
import type {
  AccountProfile,
  OperatorJob,
  OperatorNode,
  PublicProviderDetail,
} from '@infernet/protocol';
import { isOnline, toPublicProvider } from './presenters';

/*
 * The dashboard's views of stored records, beside `presenters.ts`: coarse,
 * and never a prompt, an output, a key or an address.
 */

export function toAccountProfile(profile: AccountProfileRecord): AccountProfile {
  return {
    id: profile.id,
    email: profile.email,
    name: profile.name,
    created_at: profile.createdAt.toISOString(),
  };
}

export function toOperatorNode(
  node: AccountNodeRecord,
  nowMs: number,
  livenessSeconds: number,
): OperatorNode {
  const { provider } = node;
  return {
    id: provider.id,
    name: provider.name,
    status: isOnline(provider, nowMs, livenessSeconds) ? 'online' : 'offline',
    last_seen_at: provider.lastSeenAt?.toISOString() ?? null,
    listed: provider.listed,
    models: provider.specs.served_models,
    gpus: provider.specs.gpus.map((gpu) => ({ vendor: gpu.vendor, vram_tier: gpu.vram_tier })),
    jobs_completed: node.jobsCompleted,
    tokens_served: node.tokensServed,
    earnings: { amount: node.earnings, unit: 'credits' },
  };
}

/** A job ended by a node's own report carries no stream code: the engine failed. */
function failureOf(job: AccountJobRecord): OperatorJob['failure'] {
  if (job.status !== 'failed' && job.status !== 'cancelled') return null;
  const fallbackCode = job.status === 'cancelled' ? 'CANCELLED' : 'ENGINE_ERROR';
  return {
    code: job.failureCode ?? fallbackCode,
    message: job.error ?? 'The job failed.',
  };
}

export function toOperatorJob(job: AccountJobRecord): OperatorJob {
  return {
    id: job.id,
    model: job.model,
    status: job.status,
    provider_id: job.providerId,
    created_at: job.createdAt.toISOString(),
    completed_at: job.completedAt?.toISOString() ?? null,
    tokens: job.tokens,
    failure: failureOf(job),
  };
}

export function toPublicProviderDetail(
  provider: ProviderRecord,
  activity: ProviderActivity,
  nowMs: number,
  livenessSeconds: number,
): PublicProviderDetail {
  return {
    ...toPublicProvider(provider, nowMs, livenessSeconds),
    first_seen_at: provider.createdAt.toISOString(),
    jobs_completed: activity.jobsCompleted,
    jobs_completed_last_hour: activity.jobsCompletedLastHour,
    tokens_served_last_hour: activity.tokensServedLastHour,
  };
}
