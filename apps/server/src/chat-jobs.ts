import type { ChatMessage, Sampling } from '@infernet/protocol';
import type { JobRecord } from '@infernet/db';
import type { ServerDependencies } from './context';
import { createStreamToken } from './stream-token';

export interface QueuedChatJob {
  job: JobRecord;
  /** The secret that lets the creator read or cancel the job; only its hash is stored. */
  streamToken: string;
}

/**
 * The served model a requested name stands for: an operator-configured alias
 * (e.g. `gpt-4o-mini` → a model nodes serve) or the name itself.
 */
export function resolveModel(
  dependencies: Pick<ServerDependencies, 'modelAliases'>,
  requested: string,
): string {
  return dependencies.modelAliases.get(requested) ?? requested;
}

/**
 * Queues a chat job for `model`, or returns null when no live node serves it.
 * The capacity check happens inside the insert so the common path is one query;
 * every chat API (`/api/chat`, `/v1/chat/completions`) queues through here.
 */
export async function queueChatJob(
  dependencies: Pick<ServerDependencies, 'db' | 'livenessSeconds' | 'modelAliases'>,
  request: {
    model: string;
    messages: ChatMessage[];
    maxTokens: number;
    temperature: number;
    sampling?: Sampling;
    /** The account creating the job; absent for an anonymous one. */
    ownerAccountId?: string | undefined;
  },
): Promise<QueuedChatJob | null> {
  const model = resolveModel(dependencies, request.model);
  const streamToken = createStreamToken();
  const job = await dependencies.db.jobs.createChat({
    model,
    // The title is public-facing metadata, so it never carries prompt text.
    title: `chat · ${model}`,
    input: {
      messages: request.messages,
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      ...request.sampling,
    },
    streamTokenHash: streamToken.hash,
    requireLiveProviderWithinSeconds: dependencies.livenessSeconds,
    ownerAccountId: request.ownerAccountId ?? null,
  });
  return job ? { job, streamToken: streamToken.token } : null;
}
