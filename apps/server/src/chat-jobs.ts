import {
  InfernetError,
  type ChatInputSpec,
  type ChatMessage,
  type Sampling,
} from '@infernet/protocol';
import type { JobRecord, QueueEstimate, SubmitChatJobResult } from '@infernet/db';
import type { ServerDependencies } from './context';
import { createStreamToken } from './stream-token';

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

/** What became of a chat submit (see `submitChatJob`). */
export type SubmittedChat =
  | { kind: 'queued'; job: JobRecord; streamToken: string; queuedAhead: number }
  | { kind: 'fallback'; job: JobRecord; streamToken: string; fallback: string; model: string }
  /** No live node serves the model, and no fallback may answer: each API words this its own way. */
  | { kind: 'no_capacity'; model: string | undefined };

export interface ChatSubmit {
  /** Absent: the fallback's default model when it answers, otherwise the caller chose one. */
  model: string | undefined;
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  sampling?: Sampling;
  /** The account creating the job; absent for an anonymous one. */
  ownerAccountId?: string | undefined;
  /** False: the request asked for Infernet's nodes only (no fallback). */
  fallback: boolean;
}

/**
 * Whether a request lets the fallback answer: not when it says
 * `X-Infernet-Fallback: none` or its body's flag is false.
 */
export function fallbackAccepted(header: string | undefined, bodyFlag: boolean): boolean {
  if (header !== undefined && ['none', 'false', 'off'].includes(header.trim().toLowerCase())) {
    return false;
  }
  return bodyFlag;
}

/** Seconds until a queued job of a model can expect a node, from its recent jobs. */
function secondsPerPlace(estimate: QueueEstimate): number | null {
  if (estimate.recentJobSeconds === null) return null;
  return estimate.recentJobSeconds / Math.max(estimate.nodes, 1);
}

/** A rough expected wait for the job at `position` (1: next), or null without recent jobs to go by. */
export function expectedWaitSeconds(estimate: QueueEstimate, position: number): number | null {
  const perPlace = secondsPerPlace(estimate);
  return perPlace === null ? null : Math.ceil(position * perPlace);
}

/** Without recent jobs to go by, a full queue is worth a retry this much later. */
const DEFAULT_RETRY_SECONDS = 5;

async function queueFull(
  dependencies: Pick<ServerDependencies, 'db' | 'livenessSeconds'>,
  model: string,
  queued: number,
): Promise<InfernetError> {
  const estimate = await dependencies.db.jobs.queueEstimate({
    model,
    livenessSeconds: dependencies.livenessSeconds,
  });
  const retryAfter = Math.max(1, Math.ceil(secondsPerPlace(estimate) ?? DEFAULT_RETRY_SECONDS));
  const nodes = estimate.nodes === 1 ? '1 node' : `${estimate.nodes} nodes`;
  return new InfernetError(
    'QUEUE_FULL',
    `Every node serving "${model}" is busy and its queue is full (${queued} jobs wait for ${nodes}). Retry in about ${retryAfter} s.`,
    { details: { queued, nodes: estimate.nodes, retry_after_seconds: retryAfter } },
  );
}

/**
 * Every chat API (`/api/chat`, `/v1/chat/completions`) submits through
 * here. A live node serving the model gets the job through the queue (one
 * statement checks capacity and the queue bound and inserts). When none
 * does, or the queue is full, the fallback answers when one is configured
 * and the request accepts it; otherwise the answer is honest at once:
 * `no_capacity`, or QUEUE_FULL with when to retry.
 */
export async function submitChatJob(
  dependencies: Pick<
    ServerDependencies,
    | 'db'
    | 'livenessSeconds'
    | 'modelAliases'
    | 'queue'
    | 'chatFallback'
    | 'waitingPolls'
    | 'leaseSeconds'
  >,
  request: ChatSubmit,
): Promise<SubmittedChat> {
  const model = request.model === undefined ? undefined : resolveModel(dependencies, request.model);
  const streamToken = createStreamToken();
  const input: ChatInputSpec = {
    messages: request.messages,
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    ...request.sampling,
  };
  const ownerAccountId = request.ownerAccountId ?? null;
  let refusal: InfernetError | undefined;
  if (model !== undefined) {
    // A node's long poll waiting on this copy gets the job straight from the submit.
    const taken = dependencies.waitingPolls.take(model);
    let handedOff: JobRecord | undefined;
    let result: SubmitChatJobResult;
    try {
      result = await dependencies.db.jobs.submitChat({
        model,
        // The title is public-facing metadata, so it never carries prompt text.
        title: `chat · ${model}`,
        input,
        streamTokenHash: streamToken.hash,
        requireLiveProviderWithinSeconds: dependencies.livenessSeconds,
        maxQueuedPerModel: dependencies.queue.maxPerModel,
        queueDeadlineSeconds: dependencies.queue.deadlineSeconds,
        ownerAccountId,
        ...(taken && {
          handOffTo: { providerId: taken.providerId, leaseSeconds: dependencies.leaseSeconds },
        }),
      });
      if (result.ok && result.job.status === 'assigned') handedOff = result.job;
    } finally {
      taken?.settle(handedOff);
    }
    if (result.ok) {
      return {
        kind: 'queued',
        job: result.job,
        streamToken: streamToken.token,
        queuedAhead: result.queuedAhead,
      };
    }
    if (result.reason === 'queue_full') {
      refusal = await queueFull(dependencies, model, result.queued);
    }
  }
  const fallback = dependencies.chatFallback;
  if (!fallback || !request.fallback) {
    if (refusal) throw refusal;
    return { kind: 'no_capacity', model };
  }
  const fallbackModel = fallback.modelFor(model);
  const jobModel = model ?? fallbackModel;
  const job = await fallback.submit({
    jobModel,
    model: fallbackModel,
    title: `chat · ${jobModel}`,
    input,
    streamTokenHash: streamToken.hash,
    ownerAccountId,
  });
  return {
    kind: 'fallback',
    job,
    streamToken: streamToken.token,
    fallback: fallback.name,
    model: fallbackModel,
  };
}
