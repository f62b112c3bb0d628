import type { Database, StoredEvent } from '@infernet/db';
import {
  DEFAULT_LEASE_SECONDS,
  DEFAULT_QUEUE_DEADLINE_SECONDS,
  DEFAULT_QUEUE_MAX_PER_MODEL,
  NODE_LIVENESS_SECONDS,
  SSE_KEEP_ALIVE_MS,
} from '@infernet/protocol';
import { createAuth } from './accounts/auth';
import { createCloudDeploy, type CloudDeploy } from './cloud-deploy';
import type { QueueSettings, ServerDependencies } from './context';
import type { ChatFallback } from './fallback/nim-fallback';
import { POLL_RECHECK_MS } from './job-polling';
import { DEFAULT_LIMIT_SETTINGS } from './limits/limit-settings';
import { createLimits, type Limits } from './limits/limits';
import { databaseRateLimitStore } from './limits/rate-limit-store';
import type { Logger } from './logger';
import { createPricing, type Pricing } from './pricing';
import { TopicHub } from './realtime/topic-hub';
import { WaitingPolls } from './waiting-polls';

export interface DependencyOptions {
  db: Database;
  logger: Logger;
  now?: () => number;
  keepAliveMs?: number;
  pollRecheckMs?: number;
  livenessSeconds?: number;
  leaseSeconds?: number;
  pricing?: Pricing;
  modelAliases?: Record<string, string>;
  /** Default: the default limits, counted in `db`. */
  limits?: Limits;
  /** Signs session cookies (INFERNET_AUTH_SECRET, or the one kept in the database). */
  authSecret: string;
  /** The public origin (INFERNET_PUBLIC_URL). */
  publicUrl: string;
  /** Whether INFERNET_PUBLIC_URL set `publicUrl`; when not, links use each request's origin. */
  publicUrlConfigured?: boolean;
  /** Per-IP sign-in limits; default on. */
  authRateLimit?: boolean;
  /** Default: DEFAULT_QUEUE_MAX_PER_MODEL and DEFAULT_QUEUE_DEADLINE_SECONDS. */
  queue?: Partial<QueueSettings>;
  /** Default: none, so requests no node can take are refused. */
  chatFallback?: ChatFallback | null;
  /** The dashboard's static export; default none (the API only). */
  dashboardDirectory?: string;
  /** Default: RunPod's real API and the published provider image. */
  cloudDeploy?: CloudDeploy;
}

/**
 * Connects the database's notifications to this process's wake-up hubs and
 * gathers what the routes need. `disconnect` detaches the hubs.
 */
export function wireDependencies(options: DependencyOptions): {
  dependencies: ServerDependencies;
  disconnect(): void;
} {
  const { db } = options;
  const jobAvailability = new TopicHub();
  const jobEvents = new TopicHub<readonly StoredEvent[]>();
  const unsubscribers = [
    db.notifications.onJobAvailable((model) => jobAvailability.publish(model)),
    db.notifications.onJobEvents((jobId, stored) => jobEvents.publish(jobId, stored)),
  ];
  return {
    dependencies: {
      db,
      logger: options.logger,
      now: options.now ?? Date.now,
      replayStore: db.replay,
      jobAvailability,
      waitingPolls: new WaitingPolls(),
      jobEvents,
      livenessSeconds: options.livenessSeconds ?? NODE_LIVENESS_SECONDS,
      leaseSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
      keepAliveMs: options.keepAliveMs ?? SSE_KEEP_ALIVE_MS,
      pollRecheckMs: options.pollRecheckMs ?? POLL_RECHECK_MS,
      pricing: options.pricing ?? createPricing('0', {}),
      modelAliases: new Map(Object.entries(options.modelAliases ?? {})),
      limits:
        options.limits ??
        createLimits({
          store: databaseRateLimitStore(db.rateLimits),
          settings: DEFAULT_LIMIT_SETTINGS,
        }),
      publicUrl: options.publicUrlConfigured ? options.publicUrl : undefined,
      auth: createAuth({
        dialect: db.kyselyDialect,
        secret: options.authSecret,
        baseUrl: options.publicUrl,
        logger: options.logger,
        rateLimit: options.authRateLimit,
      }),
      queue: {
        maxPerModel: options.queue?.maxPerModel ?? DEFAULT_QUEUE_MAX_PER_MODEL,
        deadlineSeconds: options.queue?.deadlineSeconds ?? DEFAULT_QUEUE_DEADLINE_SECONDS,
      },
      chatFallback: options.chatFallback ?? null,
      dashboardDirectory: options.dashboardDirectory,
      cloudDeploy: options.cloudDeploy ?? createCloudDeploy(),
    },
    disconnect() {
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}
