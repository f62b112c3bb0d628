import type { EmbedResult, Engine } from '@infernet/engines';
import { MAX_COMPLETION_BODY_BYTES, type CompleteRequest } from '@infernet/protocol';
import { describeError } from './connectivity';
import type { JobHandle } from './job-handle';
import {
  errorMessageForConsumer,
  finishStopped,
  isWithdrawal,
  reportCompletion,
  withdrawalReason,
  type JobOutcome,
  type JobRunnerDependencies,
} from './job-runner';

type Embedding = { ok: true; result: EmbedResult } | { ok: false; error: unknown };

/** JSON around the vectors of a `complete` body: quotes and commas per vector, and the rest. */
const COMPLETION_FRAMING_BYTES = 1024;

/**
 * Runs one claimed embedding job: a `meta` event naming this node and
 * engine (posted while the engine works), then `complete` with one vector
 * per text and the engine's token count. No tokens are streamed. Stops like
 * a chat job: withdrawn, it is dropped without `complete`; handed back
 * before the vectors are ready, it is `release`d. Never throws.
 */
export async function runEmbeddingJob(
  handle: JobHandle,
  dependencies: JobRunnerDependencies,
): Promise<JobOutcome> {
  const { engine, clock, logger } = dependencies;
  const { job } = handle;
  const scope = { jobId: job.id, model: job.model_name, attempt: job.attempt };
  const startedAt = clock.now();
  logger.info(scope, 'job started');

  const meta = postMeta(handle, dependencies, startedAt);
  const embedding = await embedUnlessStopped(handle, engine);
  handle.engineFinished();
  if (handle.stop) return finishStopped(handle, undefined, dependencies);
  const metaError = await meta;
  if (metaError !== undefined && isWithdrawal(metaError)) {
    handle.withdraw(withdrawalReason(metaError));
    return finishStopped(handle, undefined, dependencies);
  }
  if (metaError !== undefined) {
    // Only the response headers naming this node depend on it; the vectors still go out.
    logger.warn({ ...scope, error: describeError(metaError) }, 'posting job events failed');
  }

  const body = completionBody(embedding, engine);
  return reportCompletion(handle, body, dependencies, {
    batcher: undefined,
    startedAt,
    usage: { promptTokens: body.result?.usage?.prompt_tokens },
  });
}

/** Posts the `meta` event; resolves with the error instead of throwing, undefined when it was stored. */
async function postMeta(
  handle: JobHandle,
  dependencies: JobRunnerDependencies,
  startedAt: number,
): Promise<unknown> {
  const { client, engine, node } = dependencies;
  const { job } = handle;
  const data = {
    provider_node_id: node.nodeId,
    provider_name: node.name,
    model: job.model_name,
    engine: engine.kind,
    engine_label: engine.label,
    started_at: new Date(startedAt).toISOString(),
  };
  try {
    await client.postEvents(
      job.id,
      { events: [{ event_type: 'meta', data }], fencing_token: handle.fencingToken, batch: 1 },
      { signal: handle.signal, leaseToken: job.lease_token },
    );
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Runs the engine unless the handle stops the job first; the slot is free the moment it stops. */
function embedUnlessStopped(handle: JobHandle, engine: Engine): Promise<Embedding> {
  const stopped = new Promise<Embedding>((resolve) => {
    const onStop = () => resolve({ ok: false, error: handle.signal.reason });
    if (handle.signal.aborted) onStop();
    else handle.signal.addEventListener('abort', onStop, { once: true });
  });
  return Promise.race([embed(handle, engine), stopped]);
}

async function embed(handle: JobHandle, engine: Engine): Promise<Embedding> {
  const { job } = handle;
  if (job.type !== 'embedding') {
    return { ok: false, error: new Error(`not an embedding job: ${job.type}`) };
  }
  try {
    const result = await engine.embed(
      { model: job.model_name, input: job.input_spec.input },
      { signal: handle.signal },
    );
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The vectors as base64 little-endian float32 (OpenAI's base64 format, a
 * quarter the size of JSON numbers). An answer too large to send fails the
 * job with a message the consumer can act on, rather than a refused upload.
 */
function completionBody(embedding: Embedding, engine: Engine): CompleteRequest {
  if (!embedding.ok) {
    return { status: 'failed', error: errorMessageForConsumer(embedding.error, engine) };
  }
  const { vectors, promptTokens } = embedding.result;
  const embeddings = vectors.map(toFloat32Base64);
  const bytes = embeddings.reduce(
    (total, vector) => total + vector.length + 3,
    COMPLETION_FRAMING_BYTES,
  );
  if (bytes > MAX_COMPLETION_BODY_BYTES) {
    const megabytes = (size: number) => Math.ceil(size / 1024 / 1024);
    return {
      status: 'failed',
      error:
        `The ${vectors.length} vectors take ${megabytes(bytes)} MiB, more than the ` +
        `${megabytes(MAX_COMPLETION_BODY_BYTES)} MiB a node may send; send fewer texts per request.`,
    };
  }
  return {
    status: 'completed',
    result: {
      embeddings,
      // Embedding reads tokens and writes none; a missing count stays missing, never 0.
      ...(promptTokens === null
        ? {}
        : { usage: { prompt_tokens: promptTokens, completion_tokens: 0 } }),
    },
  };
}

function toFloat32Base64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}
