import { Hono } from 'hono';
import { VRAM_TIERS, type Overview, type VramTier } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { isOnline, toPublicProvider } from '../presenters';

const PUBLIC_LIST_LIMIT = 500;

/** Unauthenticated reads: counts and coarse capability, never prompts, keys or addresses. */
export function publicRoutes(dependencies: ServerDependencies) {
  const { db, livenessSeconds } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.get('/models', async (context) =>
    context.json({ data: await db.providers.servedModels({ livenessSeconds }) }),
  );

  routes.get('/providers', async (context) => {
    const now = dependencies.now();
    const providers = await db.providers.list({ limit: PUBLIC_LIST_LIMIT });
    return context.json({
      data: providers.map((provider) => toPublicProvider(provider, now, livenessSeconds)),
    });
  });

  routes.get('/overview', async (context) => {
    const now = dependencies.now();
    const [providers, models, jobs] = await Promise.all([
      db.providers.list({ limit: PUBLIC_LIST_LIMIT }),
      db.providers.servedModels({ livenessSeconds }),
      db.jobs.counts(),
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
    };
    return context.json({ data: overview });
  });

  return routes;
}
