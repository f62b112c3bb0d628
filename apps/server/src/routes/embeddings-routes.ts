import { Hono, type Context } from 'hono';
import {
  ErrorStreamEventSchema,
  InfernetError,
  MetaStreamEventSchema,
  OpenAiEmbeddingRequestSchema,
  parseJson,
  type OpenAiEmbeddingList,
  type OpenAiEmbeddingRequest,
} from '@infernet/protocol';
import type { JobRecord, StoredEvent } from '@infernet/db';
import { identifyCaller } from '../accounts/caller';
import { resolveModel } from '../chat-jobs';
import type { AppEnv, ServerDependencies } from '../context';
import { decodeFloat32Base64, float32Count } from '../embedding-vectors';
import { followJobEvents, isKeepAlive } from '../job-events';
import { createStreamToken } from '../stream-token';
import { modelNotFound } from './model-not-found';

/** How an embedding job ended: its stored `meta` (which node and engine), and the terminal event. */
interface JobEnd {
  meta: StoredEvent | undefined;
  end: StoredEvent | undefined;
}

/**
 * Waits for the job's terminal event. Embedding jobs store no tokens, only
 * the node's `meta` and then `done` or `error`, so this reads at most three
 * events; it ends early (no `end`) when the client goes away.
 */
async function awaitEnd(
  dependencies: ServerDependencies,
  job: JobRecord,
  signal: AbortSignal,
): Promise<JobEnd> {
  let meta: StoredEvent | undefined;
  for await (const event of followJobEvents(dependencies, { job, afterSequence: 0, signal })) {
    if (isKeepAlive(event)) continue;
    if (event.type === 'meta') meta = event;
    if (event.type === 'done' || event.type === 'error') return { meta, end: event };
  }
  return { meta, end: undefined };
}

function setProviderHeaders(context: Context<AppEnv>, job: JobRecord, meta?: StoredEvent): void {
  const data = meta ? MetaStreamEventSchema.safeParse(meta.data).data : undefined;
  const provider = data?.provider_node_id ?? job.providerId;
  if (provider) context.header('X-Infernet-Provider', provider);
  if (data?.engine) context.header('X-Infernet-Engine', data.engine);
  context.header('X-Infernet-Model', data?.model ?? job.model);
  // Embedding jobs are only ever served by nodes.
  context.header('X-Infernet-Fallback', 'none');
}

function jobFailed(event: StoredEvent): InfernetError {
  const data = ErrorStreamEventSchema.safeParse(event.data);
  const message = data.success ? data.data.message : 'The job failed.';
  return new InfernetError('ENGINE_ERROR', message, {
    details: data.success && data.data.code ? { job_error: data.data.code } : {},
  });
}

/**
 * OpenAI's list from the finished job's stored result. A node that answered
 * a different number of vectors than texts, or vectors of different
 * lengths, failed the job: pairing texts with the wrong vectors would go
 * unnoticed downstream.
 */
function embeddingList(job: JobRecord, request: OpenAiEmbeddingRequest): OpenAiEmbeddingList {
  const vectors = job.result?.embeddings ?? [];
  const dimensions = vectors[0] === undefined ? 0 : float32Count(vectors[0]);
  if (
    vectors.length !== request.input.length ||
    vectors.some((vector) => float32Count(vector) !== dimensions)
  ) {
    throw new InfernetError(
      'ENGINE_ERROR',
      `The node answered ${vectors.length} vectors of unequal or wrong shape for ${request.input.length} texts.`,
    );
  }
  const usage = job.result?.usage;
  return {
    object: 'list',
    data: vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: request.encodingFormat === 'base64' ? vector : decodeFloat32Base64(vector),
    })),
    model: job.model,
    // The engine's own count; null rather than an invented one when the node reported none.
    usage: usage ? { prompt_tokens: usage.prompt_tokens, total_tokens: usage.prompt_tokens } : null,
  };
}

/**
 * `POST /v1/embeddings`: OpenAI's embeddings API on the same jobs and queue
 * as chat. The request becomes an `embedding` job; the answer waits until a
 * node completed it.
 */
export function embeddingRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.post('/', async (context) => {
    const request = parseJson(await context.req.text(), OpenAiEmbeddingRequestSchema);
    const caller = await identifyCaller(dependencies, context);
    const model = resolveModel(dependencies, request.model);
    const job = await db.jobs.createEmbedding({
      model,
      // The title is public-facing metadata, so it never carries the texts.
      title: `embedding · ${model}`,
      input: { input: request.input },
      // Nobody reads this job's stream by token: its answer is this response.
      streamTokenHash: createStreamToken().hash,
      requireLiveProviderWithinSeconds: dependencies.livenessSeconds,
      ownerAccountId: caller?.accountId ?? null,
    });
    if (!job) throw await modelNotFound(dependencies, request.model);

    // A client that goes away stops the wait; the abandoned-job sweep may then cancel the job.
    const closed = new AbortController();
    context.req.raw.signal.addEventListener('abort', () => closed.abort(), { once: true });
    const { meta, end } = await awaitEnd(dependencies, job, closed.signal);
    if (!end) throw new InfernetError('BAD_REQUEST', 'The client closed the request.');
    setProviderHeaders(context, job, meta);
    if (end.type === 'error') throw jobFailed(end);
    const finished = await db.jobs.findById(job.id);
    if (!finished) throw new InfernetError('INTERNAL', 'The finished job is gone.');
    return context.json(embeddingList(finished, request));
  });

  return routes;
}
