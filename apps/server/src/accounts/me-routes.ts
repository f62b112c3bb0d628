import { Hono, type Context } from 'hono';
import { InfernetError, OperatorJobsQuerySchema, parseValue } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { toAccountProfile, toOperatorJob, toOperatorNode } from '../dashboard-presenters';
import { identifyCaller, requireSession, type Caller } from './caller';

/** An API key or a session: these views only read, so a program may use them too. */
async function requireAccount(
  dependencies: ServerDependencies,
  context: Context<AppEnv>,
): Promise<Caller> {
  const caller = await identifyCaller(dependencies, context);
  if (!caller) {
    throw new InfernetError(
      'AUTH_MISSING',
      'Send an API key (Authorization: Bearer inf_…) or sign in for a session cookie.',
    );
  }
  return caller;
}

/**
 * The signed-in account and what its nodes do: who I am, my linked nodes
 * with their totals and earnings, and the recent jobs they served. Always
 * scoped to the caller's own account; never a prompt or an output.
 */
export function meRoutes(dependencies: ServerDependencies) {
  const { db, livenessSeconds } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.get('/', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const profile = await db.dashboard.accountProfile(accountId);
    if (!profile) throw new InfernetError('NOT_FOUND', 'This account no longer exists.');
    context.header('Cache-Control', 'no-store');
    return context.json({ data: toAccountProfile(profile) });
  });

  routes.get('/nodes', async (context) => {
    const { accountId } = await requireAccount(dependencies, context);
    const nodes = await db.dashboard.accountNodes(accountId);
    const now = dependencies.now();
    context.header('Cache-Control', 'no-store');
    return context.json({
      data: nodes.map((node) => toOperatorNode(node, now, livenessSeconds)),
    });
  });

  routes.get('/jobs', async (context) => {
    const { accountId } = await requireAccount(dependencies, context);
    const { limit } = parseValue(context.req.query(), OperatorJobsQuerySchema);
    const jobs = await db.dashboard.accountJobs(accountId, limit);
    context.header('Cache-Control', 'no-store');
    return context.json({ data: jobs.map(toOperatorJob) });
  });

  return routes;
}
