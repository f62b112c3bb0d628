import { Hono } from 'hono';
import { NIM_FALLBACK_PROVIDER } from '@infernet/db';
import { InfernetError, VRAM_TIERS, type Overview, type VramTier } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { toPublicProviderDetail } from '../dashboard-presenters';
import { isOnline, toPublicProvider } from '../presenters';

const PUBLIC_LIST_LIMIT = 500;
/** The overview's throughput is over this many seconds of completed jobs. */
export const THROUGHPUT_WINDOW_SECONDS = 60;

/** Unauthenticated reads: counts and coarse capability, never prompts, keys or addresses. */
export function publicRoutes(dependencies: ServerDependencies) {
  const { db, livenessSeconds } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.get('/models', async (context) =>
    context.json({ data: await db.providers.servedModels({ livenessSeconds }) }),
  );

  routes.get('/providers', async (context) => {
    const now = dependencies.now();
    const providers = await db.providers.list({ limit: PUBLIC_LIST_LIMIT, listedOnly: true });
    return context.json({
      data: providers.map((provider) => toPublicProvider(provider, now, livenessSeconds)),
    });
  });

  // A node that chose not to be listed is as unknown here as one that never existed.
  routes.get('/providers/:providerId', async (context) => {
    const providerId = context.req.param('providerId');
    const provider = await db.providers.findById(providerId);
    if (!provider || !provider.listed || provider.id === NIM_FALLBACK_PROVIDER.id) {
      throw new InfernetError('NOT_FOUND', 'No listed node has this id.');
    }
    const activity = await db.dashboard.providerActivity(provider.id);
    return context.json({
      data: toPublicProviderDetail(provider, activity, dependencies.now(), livenessSeconds),
    });
  });

  // Counts include unlisted nodes (see OverviewSchema); no node is named here.
  routes.get('/overview', async (context) => {
    const now = dependencies.now();
    const [providers, models, jobs, throughput] = await Promise.all([
      db.providers.list({ limit: PUBLIC_LIST_LIMIT }),
      db.providers.servedModels({ livenessSeconds }),
      db.jobs.counts(),
      db.dashboard.networkThroughput(THROUGHPUT_WINDOW_SECONDS),
    ]);
    const online = providers.filter((provider) => isOnline(provider, now, livenessSeconds));
    const tierCounts = new Map<VramTier, number>();
    for (const gpu of online.flatMap((provider) => provider.specs.gpus)) {
      tierCounts.set(gpu.vram_tier, (tierCounts.get(gpu.vram_tier) ?? 0) + 1);
    }
    const lastHeartbeat = providers
      .map((provider) => provider.lastSeenAt?.getTime() ?? 0)
      .reduce((latest, value) => Math.max(latest, value), 0);
    const overview: Overview = {
      nodes_online: online.length,
      nodes_total: providers.length,
      models,
      jobs,
      vram_tiers: VRAM_TIERS.filter((tier) => tierCounts.has(tier)).map((tier) => ({
        tier,
        gpus: tierCounts.get(tier) ?? 0,
      })),
      last_heartbeat_at: lastHeartbeat > 0 ? new Date(lastHeartbeat).toISOString() : null,
      // Two decimals: finer would only show noise.
      tokens_per_second: Math.round((throughput.tokens / THROUGHPUT_WINDOW_SECONDS) * 100) / 100,
      throughput_window_seconds: THROUGHPUT_WINDOW_SECONDS,
    };
    return context.json({ data: overview });
  });

  return routes;
}
