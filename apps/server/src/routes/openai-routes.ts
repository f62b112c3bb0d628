import { Hono, type Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import {
  DoneStreamEventSchema,
  ErrorStreamEventSchema,
  FALLBACK_HEADER_NAME,
  InfernetError,
  MetaStreamEventSchema,
  OpenAiChatCompletionRequestSchema,
  TokenStreamEventSchema,
  parseJson,
  type OpenAiChatCompletion,
  type OpenAiChatCompletionChunk,
  type OpenAiChatCompletionRequest,
  type OpenAiModelList,
  type OpenAiUsage,
} from '@infernet/protocol';
import { NIM_FALLBACK_PROVIDER, type JobRecord, type StoredEvent } from '@infernet/db';
import { identifyCaller } from '../accounts/caller';
import type { AppEnv, ServerDependencies } from '../context';
import { fallbackAccepted, submitChatJob } from '../chat-jobs';
import { followJobEvents, isKeepAlive, type FollowedEvent } from '../job-events';
import { toOpenAiError } from '../openai-errors';
import { QueueNotices } from '../queue-status';
import { NIM_FALLBACK_NAME } from '../fallback/nim-fallback';

type Events = AsyncGenerator<FollowedEvent, void, undefined>;

function modelNotFound(requested: string, servedNames: string[]): InfernetError {
  const served = servedNames.length === 0 ? 'none right now' : servedNames.join(', ');
  return new InfernetError(
    'MODEL_NOT_FOUND',
    `The model "${requested}" is not served by any live node. Served models: ${served}.`,
    { details: { served_models: servedNames } },
  );
}

/** A stored `error` event as an exception: the node or the queue gave up on the job. */
function jobFailed(event: StoredEvent): InfernetError {
  const data = ErrorStreamEventSchema.safeParse(event.data);
  const message = data.success ? data.data.message : 'The job failed.';
  // Nobody ran it: the honest answer is the queue's own, not an engine error.
  if (data.data?.code === 'QUEUE_TIMEOUT') return new InfernetError('QUEUE_TIMEOUT', message);
  return new InfernetError('ENGINE_ERROR', message, {
    details: data.success && data.data.code ? { job_error: data.data.code } : {},
  });
}

/** The node's reported usage; never invented, so null when it reported none. */
function reportedUsage(done: StoredEvent): OpenAiUsage | null {
  const usage = DoneStreamEventSchema.safeParse(done.data).data?.usage;
  if (!usage) return null;
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
  };
}

function finishReason(done: StoredEvent): string {
  return DoneStreamEventSchema.safeParse(done.data).data?.reason ?? 'stop';
}

function tokenText(event: StoredEvent): string {
  return TokenStreamEventSchema.safeParse(event.data).data?.text ?? '';
}

/**
 * Reads until the node's `meta` event (it posts meta first) or the end of the
 * job, keeping anything read on the way so nothing is lost. Headers name the
 * node, so they can only be sent once this returns. With `untilKeepAlive`
 * (a stream), a quiet keep-alive interval ends the wait too: the job is
 * still queued, and its stream starts without a node to name.
 */
async function awaitMeta(
  events: Events,
  untilKeepAlive: boolean,
): Promise<{ meta?: StoredEvent; early: StoredEvent[] }> {
  const early: StoredEvent[] = [];
  for (;;) {
    const next = await events.next();
    if (next.done) return { early };
    if (isKeepAlive(next.value)) {
      if (untilKeepAlive) return { early };
      continue;
    }
    if (next.value.type === 'meta') return { meta: next.value, early };
    early.push(next.value);
    if (next.value.type === 'done' || next.value.type === 'error') return { early };
  }
}

function setProviderHeaders(
  context: Context<AppEnv>,
  job: JobRecord,
  meta: StoredEvent | undefined,
): void {
  const data = meta ? MetaStreamEventSchema.safeParse(meta.data).data : undefined;
  // Without meta (a stream that started while queued) no node is known yet to name.
  const provider = data?.provider_node_id ?? (meta ? job.providerId : null);
  if (provider) context.header('X-Infernet-Provider', provider);
  if (data?.engine) context.header('X-Infernet-Engine', data.engine);
  context.header('X-Infernet-Model', data?.model ?? job.model);
  // Judged by who wrote the meta event (its provider fields come from the writer's own row),
  // never by what a node put in it.
  const byFallback = meta?.data['provider_id'] === NIM_FALLBACK_PROVIDER.id;
  context.header('X-Infernet-Fallback', byFallback ? NIM_FALLBACK_NAME : 'none');
}

/** Said in a comment when the node is known only after the stream began. */
function servedByComment(meta: StoredEvent): string {
  const data = MetaStreamEventSchema.safeParse(meta.data).data;
  if (!data) return '';
  const fallback = data.fallback ? ` fallback=${data.fallback}` : '';
  return `: served-by provider=${data.provider_node_id} engine=${data.engine ?? 'unknown'} model=${data.model ?? 'unknown'}${fallback}\n\n`;
}

/** Every event after `meta`: the early ones first, then the rest of the stream. */
async function* remaining(early: StoredEvent[], events: Events): Events {
  yield* early;
  yield* events;
}

async function completion(job: JobRecord, rest: Events): Promise<OpenAiChatCompletion> {
  const texts: string[] = [];
  for await (const event of rest) {
    if (isKeepAlive(event)) continue;
    if (event.type === 'token') texts.push(tokenText(event));
    if (event.type === 'error') throw jobFailed(event);
    if (event.type === 'done') {
      const doneText = DoneStreamEventSchema.safeParse(event.data).data?.text;
      return {
        id: `chatcmpl-${job.id}`,
        object: 'chat.completion',
        created: Math.floor(job.createdAt.getTime() / 1000),
        model: job.model,
        choices: [
          {
            index: 0,
            // The done event holds the node's full text; the tokens are the fallback.
            message: { role: 'assistant', content: doneText ?? texts.join('') },
            finish_reason: finishReason(event),
            logprobs: null,
          },
        ],
        usage: reportedUsage(event),
      };
    }
  }
  throw new InfernetError('INTERNAL', 'The job ended without a result.');
}

/**
 * Writes `chat.completion.chunk` frames. With `include_usage`, the usage
 * chunk is sent only when the node reported usage: OpenAI's clients read its
 * numbers as billing truth, so a count we did not get is never made up.
 */
async function writeChunks(
  stream: SSEStreamingApi,
  job: JobRecord,
  request: OpenAiChatCompletionRequest,
  rest: Events,
  queue: QueueNotices,
): Promise<void> {
  const base = {
    id: `chatcmpl-${job.id}`,
    object: 'chat.completion.chunk' as const,
    created: Math.floor(job.createdAt.getTime() / 1000),
    model: job.model,
  };
  const chunk = (
    delta: OpenAiChatCompletionChunk['choices'][number]['delta'],
    finish: string | null,
  ): OpenAiChatCompletionChunk => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...(request.includeUsage ? { usage: null } : {}),
  });
  const write = (body: unknown) => stream.writeSSE({ data: JSON.stringify(body) });
  // Still queued: where it stands, as a comment, now and with each keep-alive.
  const place = await queue.commentFrame();
  if (place) await stream.write(place);
  await write(chunk({ role: 'assistant', content: '' }, null));
  for await (const event of rest) {
    // Comments keep proxies from closing an idle stream; OpenAI's clients ignore them.
    if (isKeepAlive(event)) {
      await stream.write(`${await queue.commentFrame()}: keep-alive\n\n`);
      continue;
    }
    queue.started();
    if (event.type === 'meta') await stream.write(servedByComment(event));
    else if (event.type === 'token') await write(chunk({ content: tokenText(event) }, null));
    else if (event.type === 'error') {
      await write(toOpenAiError(jobFailed(event)));
      return;
    } else if (event.type === 'done') {
      await write(chunk({}, finishReason(event)));
      const usage = reportedUsage(event);
      if (request.includeUsage && usage) await write({ ...base, choices: [], usage });
      await stream.writeSSE({ data: '[DONE]' });
      return;
    }
  }
}

/** The OpenAI-compatible API: the same jobs and queue as `/api/chat`. */
export function openAiRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.get('/models', async (context) => {
    const served = await db.providers.servedModels({
      livenessSeconds: dependencies.livenessSeconds,
    });
    const response: OpenAiModelList = {
      object: 'list',
      // Models have no creation date here; 0 says "unknown" rather than inventing one.
      data: served.map((model) => ({
        id: model.name,
        object: 'model',
        created: 0,
        owned_by: 'infernet',
        nodes: model.nodes,
      })),
    };
    return context.json(response);
  });

  routes.post('/chat/completions', async (context) => {
    const request = parseJson(await context.req.text(), OpenAiChatCompletionRequestSchema);
    const caller = await identifyCaller(dependencies, context);
    const submitted = await submitChatJob(dependencies, {
      ...request,
      ownerAccountId: caller?.accountId,
      fallback: fallbackAccepted(context.req.header(FALLBACK_HEADER_NAME), request.fallback),
    });
    if (submitted.kind === 'no_capacity') {
      const served = await db.providers.servedModels({
        livenessSeconds: dependencies.livenessSeconds,
      });
      throw modelNotFound(
        request.model,
        served.map((model) => model.name),
      );
    }
    const { job } = submitted;
    // Stopping on disconnect lets the abandoned-stream sweep cancel the job after its grace period.
    const closed = new AbortController();
    context.req.raw.signal.addEventListener('abort', () => closed.abort(), { once: true });
    const events = followJobEvents(dependencies, { job, afterSequence: 0, signal: closed.signal });
    const queue = new QueueNotices(dependencies, job);
    let handedOver = false;
    try {
      // A stream behind other jobs starts at once, to show its place; otherwise the node's
      // meta comes first, so the headers can name it.
      const waiting = request.stream && submitted.kind === 'queued' && submitted.queuedAhead > 0;
      const { meta, early } = waiting
        ? { meta: undefined, early: [] }
        : await awaitMeta(events, request.stream);
      setProviderHeaders(context, job, meta);
      const rest = remaining(early, events);
      if (!request.stream) return context.json(await completion(job, rest));
      context.header('Cache-Control', 'no-cache, no-transform');
      context.header('X-Accel-Buffering', 'no');
      handedOver = true;
      return streamSSE(context, async (stream) => {
        stream.onAbort(() => closed.abort());
        try {
          await writeChunks(stream, job, request, rest, queue);
        } catch (error) {
          if (!closed.signal.aborted)
            dependencies.logger.warn({ err: error, jobId: job.id }, 'stream failed');
        } finally {
          await rest.return();
          await events.return();
        }
      });
    } finally {
      if (!handedOver) await events.return();
    }
  });

  return routes;
}
