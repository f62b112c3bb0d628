import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import {
  ChatRequestSchema,
  FALLBACK_HEADER_NAME,
  InfernetError,
  parseJson,
  type CancelResponse,
  type ChatResponse,
  type ModelSummary,
} from '@infernet/protocol';
import { NIM_FALLBACK_PROVIDER, type JobRecord } from '@infernet/db';
import { bearerToken, identifyCaller } from '../accounts/caller';
import type { AppEnv, ServerDependencies } from '../context';
import { streamJobEvents } from '../job-stream';
import { fallbackAccepted, submitChatJob } from '../chat-jobs';
import { streamTokenMatches } from '../stream-token';
import { jobIdParameter } from './job-id';
import { ConcurrencyLimiter } from '../realtime/concurrency-limiter';

function noCapacity(requested: string | undefined, served: readonly ModelSummary[]): InfernetError {
  const servedNames = served.map((model) => model.name);
  const message =
    servedNames.length === 0
      ? 'No node is online right now; try again later.'
      : `No live node serves "${requested}". Served models: ${servedNames.join(', ')}.`;
  return new InfernetError('NO_CAPACITY', message, { details: { served_models: servedNames } });
}

/** Accepts `Authorization: Bearer <token>` or `?token=` (EventSource cannot send headers). */
function presentedStreamToken(context: Context<AppEnv>): string | undefined {
  return bearerToken(context) ?? (context.req.query('token') || undefined);
}

function lastEventId(context: Context<AppEnv>): number {
  const raw = context.req.header('last-event-id') ?? context.req.query('lastEventId') ?? '0';
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InfernetError('BAD_REQUEST', 'Last-Event-ID must be a non-negative integer.');
  }
  return value;
}

/** A stream token leaked to a crowd cannot make this process hold a connection per reader. */
const READERS_PER_JOB = 8;

export function chatRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();
  const readers = new ConcurrencyLimiter(READERS_PER_JOB, 'streams of one job');

  routes.post('/', async (context) => {
    const request = parseJson(await context.req.text(), ChatRequestSchema);
    const caller = await identifyCaller(dependencies, context);
    const livenessSeconds = dependencies.livenessSeconds;
    // Without a model, the most widely served one is chosen (the fallback's own when none is).
    const model = request.model ?? (await db.providers.servedModels({ livenessSeconds }))[0]?.name;
    const submitted = await submitChatJob(dependencies, {
      ...request,
      model,
      ownerAccountId: caller?.accountId,
      fallback: fallbackAccepted(context.req.header(FALLBACK_HEADER_NAME), request.fallback),
    });
    if (submitted.kind === 'no_capacity') {
      throw noCapacity(model, await db.providers.servedModels({ livenessSeconds }));
    }
    const { job, streamToken } = submitted;
    if (submitted.kind === 'fallback') {
      context.header('X-Infernet-Provider', NIM_FALLBACK_PROVIDER.nodeId);
      context.header('X-Infernet-Engine', submitted.fallback);
      context.header('X-Infernet-Model', submitted.model);
    }
    context.header(
      'X-Infernet-Fallback',
      submitted.kind === 'fallback' ? submitted.fallback : 'none',
    );
    const response: ChatResponse = {
      jobId: job.id,
      status: job.status,
      model: job.model,
      streamUrl: `/api/chat/stream/${job.id}?token=${streamToken}`,
      streamToken,
      provider:
        submitted.kind === 'fallback'
          ? { id: NIM_FALLBACK_PROVIDER.nodeId, name: NIM_FALLBACK_PROVIDER.name }
          : null,
    };
    return context.json(response, 201);
  });

  /**
   * A job's prompt and output are its creator's alone: readable with its
   * stream token (handed only to the creator), or by the owning account's API
   * key or session. Any other caller gets 403; a bad API key gets 401.
   */
  async function ownedJob(context: Context<AppEnv>): Promise<JobRecord> {
    const jobId = jobIdParameter(context);
    const token = presentedStreamToken(context);
    if (!token && !context.req.header('cookie')) {
      throw new InfernetError(
        'AUTH_MISSING',
        "This needs the streamToken from POST /api/chat (Bearer header or ?token=), or the owner's API key or session.",
      );
    }
    const job = await db.jobs.findById(jobId);
    if (!job) throw new InfernetError('JOB_NOT_FOUND', 'No such job.');
    if (token !== undefined && streamTokenMatches(token, job.streamTokenHash)) return job;
    const caller = await identifyCaller(dependencies, context);
    if (caller && caller.accountId === job.ownerAccountId) return job;
    throw new InfernetError('FORBIDDEN', 'This job belongs to someone else.');
  }

  routes.post('/:jobId/cancel', async (context) => {
    const job = await ownedJob(context);
    const result = await db.jobs.cancel(job.id, 'Cancelled by the consumer.');
    if (!result.ok) throw new InfernetError('JOB_NOT_FOUND', 'No such job.');
    const response: CancelResponse = {
      jobId: job.id,
      status: result.job.status,
      cancelled: result.changed,
    };
    return context.json(response);
  });

  routes.get('/stream/:jobId', async (context) => {
    const afterSequence = lastEventId(context);
    const job = await ownedJob(context);
    const release = readers.acquire(job.id);
    context.header('Cache-Control', 'no-cache, no-transform');
    context.header('X-Accel-Buffering', 'no');
    return streamSSE(context, async (stream) => {
      try {
        await streamJobEvents(dependencies, {
          job,
          afterSequence,
          stream,
          signal: context.req.raw.signal,
        });
      } finally {
        release();
      }
    });
  });

  return routes;
}
