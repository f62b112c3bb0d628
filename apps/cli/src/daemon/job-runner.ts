import type { ChatChunk, Engine } from '@infernet/engines';
import { MAX_ERROR_MESSAGE_CHARACTERS, type CompleteRequest } from '@infernet/protocol';
import {
  ApiError,
  NotFoundError,
  PermissionDeniedError,
  isJobGoneError,
  type CompleteInput,
  type NodeClient,
} from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import type { Clock } from './clock';
import type { EventUplink } from './event-uplink';
import { describeError } from './connectivity';
import type { JobHandle } from './job-handle';
import { TokenBatcher } from './token-batcher';

export interface JobRunnerDependencies {
  client: Pick<NodeClient, 'postEvents' | 'complete' | 'release'>;
  engine: Engine;
  node: { nodeId: string; name: string };
  clock: Clock;
  logger: Logger;
  /**
   * How event batches leave: the node's shared uplink (several jobs per
   * post); each job posts its own batches through `client` when absent.
   */
  events?: Pick<EventUplink, 'send'> | undefined;
  /** Where this node's batching ticks fall (TokenBatcher `tickOffsetMs`); the same for all its jobs. */
  batchTickOffsetMs?: number | undefined;
  /** Bounds the `release` call of a job handed back during shutdown. */
  releaseTimeoutMs?: number | undefined;
}

/**
 * `withdrawn`: the control plane took the job back (cancelled, lease lost,
 * finished), so it was dropped without `complete`. `released`: the node
 * handed it back while shutting down.
 */
export type JobOutcome = 'completed' | 'failed' | 'withdrawn' | 'released';

/** Told to the control plane (and its operators) with every job handed back by a draining node. */
export const RELEASE_REASON = 'The provider node is shutting down.';
/** Logged once, at info, for a job the control plane took back; tests and operators look for it. */
export const JOB_WITHDRAWN_MESSAGE =
  'job stopped: the control plane withdrew it (cancelled, lease lost or finished); not completing it';
const DEFAULT_RELEASE_TIMEOUT_MS = 5_000;

/**
 * Runs one claimed job on the engine and reports it: a `meta` event naming
 * this node and engine, the tokens as they come, then `complete`, each call
 * carrying the claim's fencing token. Never throws.
 *
 * The handle stops it early. Withdrawn (a poll's `cancel`, or a 409
 * LEASE_LOST / JOB_CANCELLED / JOB_STATE_CONFLICT on any call): the engine
 * stream is aborted at once and the job is dropped without `complete`, since
 * it is not ours to finish. Handed back while the engine still generates (a
 * drain that ran out of time): the engine is aborted, tokens not yet sent
 * are dropped and the job is `release`d, so the server can give it to
 * another node instead of failing it; an answer already finished is
 * completed as usual.
 */
export async function runChatJob(
  handle: JobHandle,
  dependencies: JobRunnerDependencies,
): Promise<JobOutcome> {
  const { client, engine, node, clock, logger } = dependencies;
  const { job } = handle;
  const scope = { jobId: job.id, model: job.model_name, attempt: job.attempt };
  const startedAt = clock.now();

  // Event posts stop with the job, except that a hand-back after the answer
  // is finished changes nothing: that job is flushed and completed as usual.
  const posts = new AbortController();
  let answered = false;
  handle.signal.addEventListener(
    'abort',
    () => {
      if (handle.withdrawn || !answered) posts.abort(handle.signal.reason);
    },
    { once: true },
  );
  const batcher = new TokenBatcher({
    send: async ({ number, events, urgent }) => {
      const sentAt = clock.now();
      const body = { events, fencing_token: handle.fencingToken, batch: number };
      const options = { signal: posts.signal, leaseToken: job.lease_token };
      if (dependencies.events) await dependencies.events.send(job.id, body, { ...options, urgent });
      else await client.postEvents(job.id, body, options);
      // Storing events renewed the lease, so no poll needs to carry this job for a while.
      handle.renewedAt = Math.max(handle.renewedAt, sentAt);
    },
    clock,
    tickOffsetMs: dependencies.batchTickOffsetMs,
    isFatal: isWithdrawal,
    onError: (error, fatal) => {
      // The job is someone else's now: stop spending the GPU on it.
      if (fatal) handle.withdraw(withdrawalReason(error));
      else if (!posts.signal.aborted) {
        logger.warn({ ...scope, error: describeError(error) }, 'posting job events failed');
      }
    },
  });
  // The engine request leaves first: its time to first token is on the
  // consumer's critical path, the meta post is not. Tokens arrive on a
  // later turn, so the meta event is still queued first.
  const generating = generateUnlessStopped(handle, engine, batcher);
  logger.info(scope, 'job started');
  batcher.pushMeta({
    provider_node_id: node.nodeId,
    provider_name: node.name,
    model: job.model_name,
    engine: engine.kind,
    engine_label: engine.label,
    started_at: new Date(startedAt).toISOString(),
  });

  const generation = await generating;
  handle.engineFinished();
  answered = true;
  if (handle.stop) return finishStopped(handle, batcher, dependencies);
  try {
    await batcher.close();
  } catch (error) {
    // complete still carries the whole text, so the reader gets the answer with its `done` event.
    if (!handle.withdrawn) {
      logger.warn({ ...scope, error: describeError(error) }, 'some tokens were not delivered');
    }
  }
  if (handle.withdrawn) return finishStopped(handle, batcher, dependencies);

  const body = completionBody(generation, engine);
  return reportCompletion(handle, body, dependencies, {
    batcher,
    startedAt,
    usage: { completionTokens: body.result?.usage?.completion_tokens },
  });
}

/**
 * Sends a finished job's `complete` and logs the outcome. A withdrawal on
 * the way (lease lost, cancelled) stops the job like any other; another
 * failure leaves it to the lease, so the control plane takes it back.
 */
export async function reportCompletion(
  handle: JobHandle,
  body: CompleteRequest,
  dependencies: JobRunnerDependencies,
  context: {
    /** Token events not yet sent, dropped if the job turns out withdrawn. */
    batcher: TokenBatcher | undefined;
    startedAt: number;
    /** Token counts for the log line. */
    usage: Record<string, number | undefined>;
  },
): Promise<JobOutcome> {
  const { client, clock, logger } = dependencies;
  const { job } = handle;
  const scope = { jobId: job.id, model: job.model_name, attempt: job.attempt };
  try {
    await completeJob(
      client,
      job.id,
      { ...body, fencing_token: handle.fencingToken },
      job.lease_token,
    );
  } catch (error) {
    if (isWithdrawal(error)) {
      handle.withdraw(withdrawalReason(error));
      return finishStopped(handle, context.batcher, dependencies);
    }
    logger.error({ ...scope, error: describeError(error) }, 'reporting the job result failed');
    return 'failed';
  }
  logger.info(
    {
      ...scope,
      status: body.status,
      durationMs: clock.now() - context.startedAt,
      ...context.usage,
    },
    'job finished',
  );
  return body.status;
}

type Generation =
  | { ok: true; text: string; final: Extract<ChatChunk, { done: true }> }
  | { ok: false; error: unknown };

/**
 * Runs the engine until it finishes or the handle stops the job. Does not
 * wait for an engine that is slow to honour the abort: the slot is free the
 * moment the job is stopped.
 */
function generateUnlessStopped(
  handle: JobHandle,
  engine: Engine,
  batcher: TokenBatcher,
): Promise<Generation> {
  const stopped = new Promise<Generation>((resolve) => {
    const onStop = () => resolve({ ok: false, error: handle.signal.reason });
    if (handle.signal.aborted) onStop();
    else handle.signal.addEventListener('abort', onStop, { once: true });
  });
  return Promise.race([generate(handle, engine, batcher), stopped]);
}

async function generate(
  handle: JobHandle,
  engine: Engine,
  batcher: TokenBatcher,
): Promise<Generation> {
  const { job } = handle;
  if (job.type !== 'chat') return { ok: false, error: new Error(`not a chat job: ${job.type}`) };
  let text = '';
  try {
    const stream = engine.chat(
      {
        model: job.model_name,
        messages: job.input_spec.messages,
        maxTokens: job.input_spec.max_tokens,
        temperature: job.input_spec.temperature,
        ...(job.input_spec.top_p !== undefined ? { topP: job.input_spec.top_p } : {}),
        ...(job.input_spec.stop !== undefined ? { stop: job.input_spec.stop } : {}),
        ...(job.input_spec.seed !== undefined ? { seed: job.input_spec.seed } : {}),
      },
      { signal: handle.signal },
    );
    for await (const chunk of stream) {
      if (chunk.done) return { ok: true, text, final: chunk };
      text += chunk.text;
      batcher.pushToken(chunk.text);
    }
    // The engine contract ends with a done chunk; tolerate one that just stops.
    return { ok: true, text, final: { done: true, reason: 'stop', usage: null } };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Drops a stopped job, or hands it back; logs one line saying which, with no
 * prompt text. Token events not yet sent (`batcher`) are dropped.
 */
export async function finishStopped(
  handle: JobHandle,
  batcher: TokenBatcher | undefined,
  dependencies: JobRunnerDependencies,
): Promise<'withdrawn' | 'released'> {
  const { client, logger } = dependencies;
  const scope = { jobId: handle.id, model: handle.job.model_name };
  await batcher?.discard();
  const stop = handle.stop;
  if (stop?.kind === 'withdrawn') {
    logger.info({ ...scope, reason: stop.reason }, JOB_WITHDRAWN_MESSAGE);
    return 'withdrawn';
  }
  try {
    const { status } = await client.release(
      handle.id,
      { fencing_token: handle.fencingToken, reason: RELEASE_REASON },
      {
        signal: AbortSignal.timeout(dependencies.releaseTimeoutMs ?? DEFAULT_RELEASE_TIMEOUT_MS),
      },
    );
    logger.info({ ...scope, status }, 'job handed back to the control plane');
  } catch (error) {
    if (isWithdrawal(error)) {
      logger.info(
        { ...scope, reason: withdrawalReason(error) },
        'job was no longer ours to hand back',
      );
    } else {
      logger.warn(
        { ...scope, error: describeError(error) },
        'handing the job back failed; the control plane will take it back when its lease expires',
      );
    }
  }
  return 'released';
}

function completionBody(generation: Generation, engine: Engine): CompleteRequest {
  if (!generation.ok) {
    return { status: 'failed', error: errorMessageForConsumer(generation.error, engine) };
  }
  const { text, final } = generation;
  return {
    status: 'completed',
    result: {
      text,
      reason: final.reason.slice(0, 64),
      ...(final.usage
        ? {
            usage: {
              prompt_tokens: final.usage.promptTokens,
              completion_tokens: final.usage.completionTokens,
            },
          }
        : {}),
    },
  };
}

/**
 * The engine's message goes to the consumer, so engine URLs (which may name
 * hosts on the provider's network) are replaced by the engine's label.
 */
export function errorMessageForConsumer(error: unknown, engine: Engine): string {
  const message = error instanceof Error ? error.message : String(error);
  const redacted = message.replace(/\bhttps?:\/\/[^\s,;)]+/g, `<${engine.label}>`);
  return (redacted || 'The engine failed.').slice(0, MAX_ERROR_MESSAGE_CHARACTERS);
}

/**
 * Completes with the claim's lease token in place of a signature, which
 * cost more than the rest of completing. A control plane that predates
 * that asks for a signature (401 AUTH_MISSING): the completion is then
 * sent again, signed.
 */
async function completeJob(
  client: Pick<NodeClient, 'complete'>,
  jobId: string,
  body: CompleteInput,
  leaseToken: string | undefined,
): Promise<void> {
  if (leaseToken === undefined) {
    await client.complete(jobId, body);
    return;
  }
  try {
    await client.complete(jobId, body, { leaseToken });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'AUTH_MISSING')) throw error;
    await client.complete(jobId, body);
  }
}

/**
 * The server says the job is not ours to write to any more: 409 LEASE_LOST,
 * JOB_CANCELLED or JOB_STATE_CONFLICT, or the job, or our right to it, is
 * gone altogether (404, 403).
 */
export function isWithdrawal(error: unknown): boolean {
  return (
    isJobGoneError(error) ||
    error instanceof NotFoundError ||
    error instanceof PermissionDeniedError
  );
}

export function withdrawalReason(error: unknown): string {
  return error instanceof ApiError ? error.code : 'UNKNOWN';
}
