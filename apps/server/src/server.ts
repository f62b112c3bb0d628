import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { openDatabase, type Database } from '@infernet/db';
import { LEASE_SWEEP_INTERVAL_MS } from '@infernet/protocol';
import { createApp } from './app';
import type { ServerConfig } from './config';
import type { ServerDependencies } from './context';
import type { Logger } from './logger';
import { wireDependencies } from './dependencies';
import { startMaintenance } from './maintenance';
import { createPricing } from './pricing';
import { join } from 'node:path';

export interface RunningServer {
  url: string;
  port: number;
  db: Database;
  close(): Promise<void>;
}

/**
 * Opens the database, connects notifications to the in-process hubs and
 * listens. Returns a handle whose `close` drains connections and the database.
 */
export async function startServer(
  config: ServerConfig,
  logger: Logger,
  overrides: Partial<Pick<ServerDependencies, 'now' | 'keepAliveMs'>> = {},
): Promise<RunningServer> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDirectory: config.databaseUrl ? undefined : join(config.dataDirectory, 'pglite'),
  });
  const now = overrides.now ?? Date.now;
  const { dependencies, disconnect } = wireDependencies({
    db,
    logger,
    now,
    keepAliveMs: overrides.keepAliveMs,
    livenessSeconds: config.livenessSeconds,
    leaseSeconds: config.leaseSeconds,
    pricing: createPricing(config.pricePerMillionTokens, config.modelPrices),
  });
  const app = createApp(dependencies);
  const stopMaintenance = startMaintenance({
    db,
    logger,
    now,
    intervalMs: LEASE_SWEEP_INTERVAL_MS,
    abandonedStreamGraceSeconds: config.abandonedStreamGraceSeconds,
  });

  const server: ServerType = await new Promise((resolve) => {
    const instance = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(instance),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  logger.info({ url, database: db.kind }, 'control plane listening');

  return {
    url,
    port,
    db,
    async close() {
      await stopMaintenance();
      disconnect();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long polls and streams would hold close() for up to 25 s; end them now.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await db.close();
    },
  };
}
