import { Hono } from 'hono';
import type { AppEnv, ServerDependencies } from '../context';

/** Liveness says the process answers; readiness says it can reach its database. */
export function healthRoutes(dependencies: Pick<ServerDependencies, 'db'>) {
  const routes = new Hono<AppEnv>();
  routes.get('/healthz', (context) => context.json({ status: 'ok' as const }));
  routes.get('/readyz', async (context) => {
    const database = dependencies.db.kind;
    try {
      await dependencies.db.ping();
      return context.json({ status: 'ready' as const, database });
    } catch {
      return context.json({ status: 'unavailable' as const, database }, 503);
    }
  });
  return routes;
}
