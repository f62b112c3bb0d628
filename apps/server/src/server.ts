import { serve, type ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openDatabase, type Database } from '@infernet/db';
import { createApp } from './app';
import { createCloudDeploy } from './cloud-deploy';
import type { ServerConfig } from './config';
import type { ServerDependencies } from './context';
import type { Logger } from './logger';
import { wireDependencies } from './dependencies';
import { createNimFallback } from './fallback/nim-fallback';
import { startMaintenance } from './maintenance';
import { openLimits } from './limits/open-limits';
import { createPricing } from './pricing';
import { withRedisNotifications } from './realtime/redis-notifications';
import { join } from 'node:path';

/**
 * The database, with wake-ups between server copies over its own
 * LISTEN/NOTIFY, or over Redis when REDIS_URL is set (then it holds no
 * LISTEN connection).
 */
async function openSharedDatabase(config: ServerConfig, logger: Logger): Promise<Database> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDirectory: config.databaseUrl ? undefined : join(config.dataDirectory, 'pglite'),
    listen: !config.redisUrl,
    poolSize: config.databasePoolSize,
  });
  if (!config.redisUrl) return db;
  try {
    return await withRedisNotifications(db, { redisUrl: config.redisUrl, logger });
  } catch (error) {
    await db.close();
    throw error;
  }
}

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
  const db = await openSharedDatabase(config, logger);
  const limits = await openLimits(config, db.rateLimits, logger).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const now = overrides.now ?? Date.now;
  const authSecret =
    config.authSecret ??
    (await db.accounts.sharedSecret('auth', randomBytes(32).toString('base64url')));
  const chatFallback = config.nim.apiKey
    ? createNimFallback({
        apiKey: config.nim.apiKey,
        apiUrl: config.nim.apiUrl,
        defaultModel: config.nim.defaultModel,
        db,
        logger,
        leaseSeconds: config.leaseSeconds,
        queueDeadlineSeconds: config.queueDeadlineSeconds,
      })
    : null;
  const { dependencies, disconnect } = wireDependencies({
    db,
    logger,
    now,
    keepAliveMs: overrides.keepAliveMs,
    livenessSeconds: config.livenessSeconds,
    leaseSeconds: config.leaseSeconds,
    pricing: createPricing(config.pricePerMillionTokens, config.modelPrices),
    modelAliases: config.modelAliases,
    limits: limits.limits,
    authSecret,
    publicUrl: config.publicUrl ?? `http://localhost:${config.port}`,
    publicUrlConfigured: config.publicUrl !== undefined,
    queue: { maxPerModel: config.queueMaxPerModel, deadlineSeconds: config.queueDeadlineSeconds },
    chatFallback,
    dashboardDirectory: config.dashboardDirectory,
    cloudDeploy: createCloudDeploy({
      runpodApiUrl: config.cloudDeploy.runpodApiUrl,
      providerImage: config.cloudDeploy.providerImage,
    }),
  });
  const app = createApp(dependencies);
  const maintenance = startMaintenance({
    db,
    logger,
    now,
    intervalMs: config.maintenanceIntervalMs,
    leaseSweepDelayMs: config.leaseSeconds * 1000,
    abandonedStreamGraceSeconds: config.abandonedStreamGraceSeconds,
    promptRetentionSeconds: config.promptRetentionHours * 3600,
  });

  const server: ServerType = await new Promise((resolve) => {
    const instance = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(instance),
    );
    // Long polls and streams hold connections; past this many, new ones are refused
    // instead of exhausting file descriptors.
    instance.maxConnections = config.maxConnections;
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const notifications = config.redisUrl ? 'redis' : 'postgres';
  // Names the fallback and where it is; never its key.
  const fallback = chatFallback ? `${chatFallback.name} at ${config.nim.apiUrl}` : 'none';
  logger.info({ url, database: db.kind, notifications, fallback }, 'control plane listening');

  return {
    url,
    port,
    db,
    async close() {
      await maintenance.stop();
      // Answers in progress end with a reason while the database is still open.
      await chatFallback?.close();
      disconnect();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long polls and streams would hold close() for up to 25 s; end them now.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await db.close();
      await limits.close();
    },
  };
}
