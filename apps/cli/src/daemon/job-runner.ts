import type { ChatChunk, Engine } from '@infernet/engines';
import {
  MAX_ERROR_MESSAGE_CHARACTERS,
  type CompleteRequest,
  type NodeJob,
} from '@infernet/protocol';
import {
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  type NodeClient,
} from '@infernet/sdk';
import type { Logger } from '../output';
import type { Clock } from './clock';
import { describeError } from './connectivity';
import { TokenBatcher } from './token-batcher';

export interface JobRunnerDependencies {
  client: Pick<NodeClient, 'postEvents' | 'complete'>;
  engine: Engine;
  node: { nodeId: string; name: string };
  clock: Clock;
  logger: Logger;
}

export type JobOutcome = 'completed' | 'failed' | 'abandoned';

/**
 * Runs one chat job on the engine and reports it: a `meta` event naming
 * this node and engine, the tokens as they come, then `complete`. Never
 * throws: every failure ends as a failed job or, when the job is no longer
 * ours (lease lost, cancelled), as an abandoned one.
 *
 * `signal` aborts the engine, for a shutdown that ran out of patience.
 */
export async function runChatJob(
  job: NodeJob,
  dependencies: JobRunnerDependencies,
  signal?: AbortSignal,
): Promise<JobOutcome> {
  const { client, engine, node, clock, logger } = dependencies;
  const scope = { jobId: job.id, model: job.model_name };
  const startedAt = clock.now();
  const engineAbort = new AbortController();
  const onAbort = () => engineAbort.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  const batcher = new TokenBatcher({
    send: async (events) => {
      await client.postEvents(job.id, events);
    },
    clock,
    isFatal: isJobGone,
    onError: (error, fatal) => {
      logger.warn({ ...scope, error: describeError(error) }, 'posting job events failed');
      // The job is someone else's now: stop spending the GPU on it.
      if (fatal) engineAbort.abort(error);
    },
  });
  logger.info(scope, 'job started');
  batcher.pushMeta({
    provider_node_id: node.nodeId,
    provider_name: node.name,
    model: job.model_name,
    engine: engine.kind,
    engine_label: engine.label,
    started_at: new Date(startedAt).toISOString(),
  });

  const generation = await generate(job, engine, batcher, engineAbort.signal);
  signal?.removeEventListener('abort', onAbort);
  try {
    await batcher.close();
  } catch (error) {
    // complete still carries the whole text, so the reader gets the answer with its `done` event.
    logger.warn({ ...scope, error: describeError(error) }, 'some tokens were not delivered');
  }
  if (batcher.fatalError !== undefined) {
    logger.warn(scope, 'job is no longer assigned to this node; dropping it');
    return 'abandoned';
  }

  const body = completionBody(generation, engine, signal);
  try {
    await client.complete(job.id, body);
  } catch (error) {
    logger.error({ ...scope, error: describeError(error) }, 'reporting the job result failed');
    return isJobGone(error) ? 'abandoned' : 'failed';
  }
  logger.info(
    {
      ...scope,
      status: body.status,
      durationMs: clock.now() - startedAt,
      completionTokens: body.result?.usage?.completion_tokens,
    },
    'job finished',
  );
  return body.status;
}

type Generation =
  | { ok: true; text: string; final: Extract<ChatChunk, { done: true }> }
  | { ok: false; error: unknown };

async function generate(
  job: NodeJob,
  engine: Engine,
  batcher: TokenBatcher,
  signal: AbortSignal,
): Promise<Generation> {
  let text = '';
  try {
    const stream = engine.chat(
      {
        model: job.model_name,
        messages: job.input_spec.messages,
        maxTokens: job.input_spec.max_tokens,
        temperature: job.input_spec.temperature,
      },
      { signal },
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

function completionBody(
  generation: Generation,
  engine: Engine,
  shutdown: AbortSignal | undefined,
): CompleteRequest {
  if (!generation.ok) {
    const message = shutdown?.aborted
      ? 'The provider node shut down before the answer was finished.'
      : errorMessageForConsumer(generation.error, engine);
    return { status: 'failed', error: message };
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

/** The server says the job is not ours to write to any more. */
export function isJobGone(error: unknown): boolean {
  return (
    error instanceof ConflictError ||
    error instanceof NotFoundError ||
    error instanceof PermissionDeniedError
  );
}
