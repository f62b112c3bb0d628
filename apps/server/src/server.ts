import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { openDatabase, type Database } from '@infernet/db';
import { SSE_KEEP_ALIVE_MS } from '@infernet/protocol';
import { createApp } from './app';
import type { ServerConfig } from './config';
import type { ServerDependencies } from './context';
import type { Logger } from './logger';
import { TopicHub } from './realtime/topic-hub';
import { join } from 'node:path';

const REPLAY_PRUNE_INTERVAL_MS = 60_000;

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
  const jobAvailability = new TopicHub();
  const jobEvents = new TopicHub();
  const unsubscribers = [
    db.notifications.onJobAvailable((model) => jobAvailability.publish(model)),
    db.notifications.onJobEvents((jobId) => jobEvents.publish(jobId)),
  ];
  const now = overrides.now ?? Date.now;
  const app = createApp({
    db,
    logger,
    now,
    replayStore: db.replay,
    jobAvailability,
    jobEvents,
    livenessSeconds: config.livenessSeconds,
    leaseSeconds: config.leaseSeconds,
    keepAliveMs: overrides.keepAliveMs ?? SSE_KEEP_ALIVE_MS,
  });
  const pruneTimer = setInterval(() => {
    db.replay
      .prune(new Date(now()))
      .catch((error: unknown) => logger.warn({ err: error }, 'replay prune failed'));
  }, REPLAY_PRUNE_INTERVAL_MS);
  pruneTimer.unref();

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
      clearInterval(pruneTimer);
      for (const unsubscribe of unsubscribers) unsubscribe();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long polls and streams would hold close() for up to 25 s; end them now.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await db.close();
    },
  };
}
