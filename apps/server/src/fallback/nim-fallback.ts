import type { ChatInputSpec, NodeEvent } from '@infernet/protocol';
import { InfernetError } from '@infernet/protocol';
import { NIM_FALLBACK_PROVIDER, type Database, type JobRecord } from '@infernet/db';
import { createOpenAiCompatibleEngine, type Engine, type Fetch } from '@infernet/engines';
import type { Logger } from '../logger';

/** NVIDIA's hosted, OpenAI-compatible API. */
export const DEFAULT_NIM_API_URL = 'https://integrate.api.nvidia.com/v1';
/** Answers requests whose model NIM does not name (see `modelFor`). */
export const DEFAULT_NIM_MODEL = 'meta/llama-3.1-8b-instruct';
/** The fallback's name in `meta` events and the `X-Infernet-Fallback` header. */
export const NIM_FALLBACK_NAME = 'nvidia-nim';

/**
 * Answers chat jobs no node can take, from NVIDIA NIM, as the control
 * plane's own provider row (`NIM_FALLBACK_PROVIDER`). Its tokens are stored
 * as the job's events, so the consumer's stream, the audit trail and the
 * usage are those of any job; only the labels say who served it.
 */
export interface ChatFallback {
  /** `nvidia-nim`. */
  readonly name: string;
  /** What NIM answers a request for `requested` with. */
  modelFor(requested: string | undefined): string;
  /**
   * Creates a job held by the fallback and starts answering it in the
   * background; the caller follows its events like any job's.
   */
  submit(request: FallbackChatRequest): Promise<JobRecord>;
  /** Stops every answer in progress (each job fails with a reason) and waits for them. */
  close(): Promise<void>;
}

export interface FallbackChatRequest {
  /** The served-model name the job is filed under (the request's, after aliases). */
  jobModel: string;
  /** The model NIM runs (`modelFor`). */
  model: string;
  title: string;
  input: ChatInputSpec;
  streamTokenHash: string;
  ownerAccountId: string | null;
}

export interface NimFallbackOptions {
  apiKey: string;
  apiUrl: string;
  defaultModel: string;
  db: Database;
  logger: Logger;
  leaseSeconds: number;
  /** Applies if the job goes back to the queue (this copy died before the first token). */
  queueDeadlineSeconds: number;
  /** Tests point this at a fake NIM; default the global fetch. */
  fetch?: Fetch;
  /** Default: the OpenAI-compatible engine adapter on `apiUrl` with `apiKey`. */
  engine?: Engine;
}

/** Why the fallback stopped writing: the job is no longer its to write. */
class NoLongerHeld extends Error {}

/**
 * The NIM fallback. The key reaches only the `openai` client's
 * Authorization header; it is never logged nor put in an error.
 */
export function createNimFallback(options: NimFallbackOptions): ChatFallback {
  const { db, logger, leaseSeconds } = options;
  const engine =
    options.engine ??
    createOpenAiCompatibleEngine({
      baseUrl: options.apiUrl,
      apiKey: options.apiKey,
      label: NIM_FALLBACK_NAME,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let closed = false;

  async function answer(
    job: JobRecord & { leaseToken: string },
    request: FallbackChatRequest,
    signal: AbortSignal,
  ): Promise<void> {
    let batch = 0;
    async function post(events: NodeEvent[]): Promise<void> {
      batch += 1;
      const stored = await db.events.append(job.id, null, events, {
        leaseToken: job.leaseToken,
        batch,
        leaseSeconds,
      });
      // Cancelled by the consumer, or taken back after a stall: stop answering.
      if (!stored.ok) throw new NoLongerHeld(stored.reason);
    }

    // Aborted by close() or by a write that was refused; the engine request stops either way.
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    // A slow first token must not cost the lease: renew it until the answer ends.
    const renewal = setInterval(
      () => {
        db.jobs
          .renewLeases({ providerId: NIM_FALLBACK_PROVIDER.id, jobIds: [job.id], leaseSeconds })
          .then(({ lost }) => {
            if (lost.length > 0) stop.abort(new NoLongerHeld('lease lost'));
          })
          .catch((error: unknown) => logger.warn({ err: error, jobId: job.id }, 'lease renewal'));
      },
      Math.max(1000, (leaseSeconds * 1000) / 3),
    );
    renewal.unref();

    const texts: string[] = [];
    let pending: string[] = [];
    let flushing: Promise<void> | undefined;
    let writeFailure: unknown;
    // Tokens that arrive while a batch is being stored go out together in the next one.
    const flush = async (): Promise<void> => {
      while (pending.length > 0) {
        const tokens = pending;
        pending = [];
        await post(tokens.map((text) => ({ event_type: 'token', data: { text } })));
      }
    };
    const startFlush = () => {
      flushing ??= flush()
        .catch((error: unknown) => {
          writeFailure = error;
          stop.abort(error);
        })
        .finally(() => {
          flushing = undefined;
        });
    };

    try {
      await post([
        {
          event_type: 'meta',
          data: {
            engine: NIM_FALLBACK_NAME,
            engine_label: 'NVIDIA NIM (fallback)',
            model: request.model,
            fallback: NIM_FALLBACK_NAME,
            started_at: new Date().toISOString(),
          },
        },
      ]);
      const { input } = request;
      let reason = 'stop';
      let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
      for await (const chunk of engine.chat(
        {
          model: request.model,
          messages: input.messages,
          maxTokens: input.max_tokens,
          temperature: input.temperature,
          ...(input.top_p !== undefined ? { topP: input.top_p } : {}),
          ...(input.stop !== undefined ? { stop: input.stop } : {}),
          ...(input.seed !== undefined ? { seed: input.seed } : {}),
        },
        { signal: stop.signal },
      )) {
        if (!chunk.done) {
          texts.push(chunk.text);
          pending.push(chunk.text);
          startFlush();
          continue;
        }
        reason = chunk.reason;
        // NIM's own counts, or none: usage is never invented.
        if (chunk.usage) {
          usage = {
            prompt_tokens: chunk.usage.promptTokens,
            completion_tokens: chunk.usage.completionTokens,
          };
        }
      }
      while (flushing) await flushing;
      if (writeFailure) throw writeFailure;
      await flush();
      await finish({
        status: 'completed',
        result: { text: texts.join(''), reason, ...(usage ? { usage } : {}) },
        error: null,
      });
    } catch (error) {
      while (flushing) await flushing.catch(() => {});
      const cause = writeFailure ?? error;
      if (cause instanceof NoLongerHeld) return;
      const message = signal.aborted
        ? 'The control plane answering this job through the NVIDIA NIM fallback shut down.'
        : `The NVIDIA NIM fallback failed: ${describe(cause)}`;
      await finish({ status: 'failed', result: null, error: message });
    } finally {
      clearInterval(renewal);
      signal.removeEventListener('abort', onAbort);
    }

    async function finish(outcome: {
      status: 'completed' | 'failed';
      result: {
        text: string;
        reason: string;
        usage?: { prompt_tokens: number; completion_tokens: number };
      } | null;
      error: string | null;
    }): Promise<void> {
      // The fallback is not a node: its jobs earn nothing (price 0).
      const completed = await db.jobs.complete({
        jobId: job.id,
        providerId: NIM_FALLBACK_PROVIDER.id,
        fencingToken: job.fencingToken,
        ...outcome,
        pricePerMillionTokens: '0',
        modelPrices: {},
      });
      if (!completed.ok && completed.reason !== 'cancelled' && completed.reason !== 'lease_lost') {
        logger.warn({ jobId: job.id, reason: completed.reason }, 'fallback completion refused');
      }
    }
  }

  return {
    name: NIM_FALLBACK_NAME,

    modelFor(requested) {
      // NIM names models `vendor/model`; any other name is a node's model NIM does not have.
      return requested?.includes('/') ? requested : options.defaultModel;
    },

    async submit(request) {
      if (closed) throw new InfernetError('NO_CAPACITY', 'The server is shutting down.');
      const job = await db.jobs.createFallbackChat({
        model: request.jobModel,
        title: request.title,
        input: request.input,
        streamTokenHash: request.streamTokenHash,
        ownerAccountId: request.ownerAccountId,
        leaseSeconds,
        queueDeadlineSeconds: options.queueDeadlineSeconds,
      });
      const controller = new AbortController();
      const done = answer(job, request, controller.signal)
        .catch((error: unknown) => logger.warn({ err: error, jobId: job.id }, 'fallback failed'))
        .finally(() => running.delete(job.id));
      running.set(job.id, { controller, done });
      return job;
    },

    async close() {
      closed = true;
      const answers = [...running.values()];
      for (const { controller } of answers) controller.abort();
      await Promise.all(answers.map(({ done }) => done));
    },
  };
}

/** An engine error's message; anything else is not described, so nothing unexpected leaks. */
function describe(error: unknown): string {
  if (InfernetError.isInstance(error)) return error.message;
  return 'the request did not complete.';
}
