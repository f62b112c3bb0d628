import { Hono, type Context } from 'hono';
import type { JobWriteFailure, ProviderRecord } from '@infernet/db';
import {
  CompleteRequestSchema,
  EventBatchesRequestSchema,
  EventsRequestSchema,
  HeartbeatRequestSchema,
  InfernetError,
  PollRequestSchema,
  RegisterRequestSchema,
  ReleaseRequestSchema,
  RoleOnlyRequestSchema,
  parseValue,
  sanitizeNodeSpecs,
  type JobEventBatchResult,
  type NodeEvent,
} from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { signedBody } from './signed-body';
import { claimWithLongPoll } from '../job-polling';
import { jobIdParameter } from './job-id';
import { nodeAuth } from '../middleware/node-auth';
import { limitNodeKeys } from '../middleware/node-limits';
import { ConcurrencyLimiter } from '../realtime/concurrency-limiter';
import { ProviderCache } from '../provider-cache';
import { toNodeJob, toNodeRow } from '../presenters';

/** The body's fields, each optional (the query may carry them instead); made once, since zod compiles a schema on its first parse. */
const PollBodySchema = PollRequestSchema.partial().passthrough();

/** Query parameters override body fields for `jobs/poll` (the earlier daemons send `?limit&wait`). */
function pollParameters(context: Context<AppEnv>) {
  const body = signedBody(context, PollBodySchema) as Record<string, unknown>;
  const fromQuery = (name: string): number | undefined => {
    const value = context.req.query(name);
    return value === undefined || value === '' ? undefined : Number(value);
  };
  return parseValue(
    {
      limit: fromQuery('limit') ?? body.limit,
      wait: fromQuery('wait') ?? body.wait,
      active: body.active,
    },
    PollRequestSchema,
  );
}

function wrap<T>(context: Context<AppEnv>, data: T) {
  return context.json({ data });
}

const JOB_FAILURES: Record<JobWriteFailure, () => InfernetError> = {
  not_found: () => new InfernetError('JOB_NOT_FOUND', 'No such job.'),
  not_owner: () => new InfernetError('FORBIDDEN', 'This job is held by another node.'),
  not_active: () =>
    new InfernetError('JOB_STATE_CONFLICT', 'This job is not active; it cannot take events.'),
  lease_lost: () =>
    new InfernetError(
      'LEASE_LOST',
      'Your lease on this job is gone (it expired and the job was taken back); stop working on it.',
    ),
  cancelled: () =>
    new InfernetError('JOB_CANCELLED', 'The consumer cancelled this job; stop generating.'),
};

/**
 * Token batches and completions may authenticate with the claim's lease
 * token (see nodeAuth): a completion follows every job, and a signature on
 * it cost more than the rest of finishing the job.
 */
const LEASE_TOKEN_PATH = /\/jobs\/[^/]+\/(events|complete)$/;
const acceptsLeaseToken = (path: string): boolean => LEASE_TOKEN_PATH.test(path);
/** Several jobs' batches in one post, each with its lease token in the body. */
const isEventBatchesPath = (path: string): boolean => path.endsWith('/api/v1/node/events');

/** How long a node's provider row may be reused between its requests. */
const PROVIDER_CACHE_MILLISECONDS = 1_000;

/** Enough for a node that polls per free job slot, too few to hoard connections. */
const LONG_POLLS_PER_KEY = 8;

/**
 * Only the control plane labels a job as served by a fallback (`meta.fallback`);
 * a node's meta event cannot claim it. Batches without such a label pass as they are.
 */
function withoutFallbackLabel(events: readonly NodeEvent[]): readonly NodeEvent[] {
  if (!events.some((event) => event.event_type === 'meta' && 'fallback' in event.data)) {
    return events;
  }
  return events.map((event) => {
    if (event.event_type !== 'meta') return event;
    const { fallback: _label, ...data } = event.data;
    return { ...event, data };
  });
}

export function nodeRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();
  const longPolls = new ConcurrencyLimiter(LONG_POLLS_PER_KEY, 'long polls');
  const providerCache = new ProviderCache(PROVIDER_CACHE_MILLISECONDS, dependencies.now);
  routes.use(
    '*',
    nodeAuth(dependencies, {
      acceptsLeaseToken,
      leaseTokensInBody: isEventBatchesPath,
    }),
  );
  routes.use('*', limitNodeKeys(dependencies.limits));

  async function requireProvider(context: Context<AppEnv>): Promise<ProviderRecord> {
    const provider = await providerCache.get(context.get('publicKey'), (publicKey) =>
      db.providers.findByPublicKey(publicKey),
    );
    if (!provider) {
      throw new InfernetError(
        'NODE_NOT_REGISTERED',
        'This key has no node registered; call register first (`infernet register`).',
      );
    }
    return provider;
  }

  routes.post('/register', async (context) => {
    const body = signedBody(context, RegisterRequestSchema);
    const result = await db.providers.register({
      publicKey: context.get('publicKey'),
      nodeId: body.node_id,
      role: body.role,
      name: body.name ?? null,
      status: body.status ?? 'available',
      address: body.address ?? null,
      port: body.port ?? null,
      gpuModel: body.gpu_model ?? null,
      price: body.price ?? null,
      specs: sanitizeNodeSpecs(body.specs),
      listed: body.listed ?? true,
    });
    if (!result.ok) {
      throw new InfernetError('FORBIDDEN', `node_id "${body.node_id}" belongs to another key.`);
    }
    providerCache.set(result.provider);
    return wrap(context, { id: result.provider.id, node_id: result.provider.nodeId });
  });

  routes.post('/heartbeat', async (context) => {
    const body = signedBody(context, HeartbeatRequestSchema);
    const provider = await db.providers.heartbeat(context.get('publicKey'), {
      status: body.status ?? 'available',
      address: body.address,
      port: body.port,
      specs: body.specs === undefined ? undefined : sanitizeNodeSpecs(body.specs),
    });
    if (!provider) {
      throw new InfernetError('NODE_NOT_REGISTERED', 'Register this node before heartbeating.');
    }
    providerCache.set(provider);
    // A heartbeat proves the node is alive, so every job it holds keeps its lease.
    await db.jobs.renewLeases({ providerId: provider.id, leaseSeconds: dependencies.leaseSeconds });
    return wrap(context, { id: provider.id });
  });

  routes.post('/me', async (context) => {
    signedBody(context, RoleOnlyRequestSchema);
    const provider = await db.providers.findByPublicKey(context.get('publicKey'));
    return wrap(context, { row: provider ? toNodeRow(provider) : null });
  });

  routes.post('/remove', async (context) => {
    signedBody(context, RoleOnlyRequestSchema);
    // Only the outcome goes back; which jobs it released is for wake-ups, not for the node.
    const { deleted, id } = await db.providers.remove(context.get('publicKey'));
    providerCache.forget(context.get('publicKey'));
    return wrap(context, { deleted, id });
  });

  routes.post('/jobs/poll', async (context) => {
    const { limit, wait, active } = pollParameters(context);
    const provider = await requireProvider(context);
    // Renewing first keeps running jobs alive while this poll waits for new ones.
    const { lost } =
      active.length > 0
        ? await db.jobs.renewLeases({
            providerId: provider.id,
            jobIds: active,
            leaseSeconds: dependencies.leaseSeconds,
          })
        : { lost: [] };
    if (limit === 0) return wrap(context, { provider_id: provider.id, jobs: [], cancel: lost });
    const release = longPolls.acquire(provider.id);
    try {
      const jobs = await claimWithLongPoll(dependencies, {
        provider,
        limit,
        waitSeconds: wait,
        signal: context.req.raw.signal,
      });
      return wrap(context, { provider_id: provider.id, jobs: jobs.map(toNodeJob), cancel: lost });
    } finally {
      release();
    }
  });

  routes.post('/jobs/:jobId/events', async (context) => {
    const body = signedBody(context, EventsRequestSchema);
    const leaseToken = context.get('leaseToken');
    const providerId = leaseToken === undefined ? (await requireProvider(context)).id : null;
    const events = withoutFallbackLabel(body.events);
    const result = await db.events.append(jobIdParameter(context), providerId, events, {
      fencingToken: body.fencing_token,
      batch: body.batch,
      leaseSeconds: dependencies.leaseSeconds,
      ...(leaseToken === undefined ? {} : { leaseToken }),
    });
    if (!result.ok) throw JOB_FAILURES[result.reason]();
    return wrap(context, { inserted: result.inserted });
  });

  /**
   * Token batches for several jobs at once, each authenticated by its own
   * claim's lease token and judged on its own: one job's lost lease refuses
   * that batch only. All of them are stored in one statement.
   */
  routes.post('/events', async (context) => {
    const { batches } = signedBody(context, EventBatchesRequestSchema);
    const outcomes = await db.events.appendMany(
      batches.map((batch) => ({
        jobId: batch.job_id,
        providerId: null,
        events: withoutFallbackLabel(batch.events),
        options: {
          fencingToken: batch.fencing_token,
          batch: batch.batch,
          leaseSeconds: dependencies.leaseSeconds,
          leaseToken: batch.lease_token,
        },
      })),
    );
    const results: JobEventBatchResult[] = outcomes.map((outcome, index) => {
      const jobId = batches[index]!.job_id;
      if (outcome.ok) return { job_id: jobId, inserted: outcome.inserted };
      const { code, message } = JOB_FAILURES[outcome.reason]();
      return { job_id: jobId, error: { code, message } };
    });
    return wrap(context, { results });
  });

  routes.post('/jobs/:jobId/complete', async (context) => {
    const body = signedBody(context, CompleteRequestSchema);
    const leaseToken = context.get('leaseToken');
    const result = await db.jobs.complete({
      jobId: jobIdParameter(context),
      ...(leaseToken === undefined
        ? { providerId: (await requireProvider(context)).id }
        : { providerId: null, leaseToken }),
      fencingToken: body.fencing_token,
      pricePerMillionTokens: dependencies.pricing.pricePerMillionTokens,
      modelPrices: { ...dependencies.pricing.modelPrices },
      status: body.status,
      result: body.result ?? null,
      error: body.status === 'failed' ? (body.error ?? 'The node reported a failure.') : null,
    });
    if (!result.ok) throw JOB_FAILURES[result.reason]();
    return wrap(context, { id: result.job.id, status: result.job.status });
  });

  routes.post('/jobs/:jobId/release', async (context) => {
    const body = signedBody(context, ReleaseRequestSchema);
    const provider = await requireProvider(context);
    const result = await db.jobs.release({
      jobId: jobIdParameter(context),
      providerId: provider.id,
      fencingToken: body.fencing_token,
      reason: body.reason ?? 'the node is shutting down',
    });
    if (!result.ok) throw JOB_FAILURES[result.reason]();
    return wrap(context, { id: result.job.id, status: result.job.status });
  });

  return routes;
}
