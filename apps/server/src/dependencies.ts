import type { Database } from '@infernet/db';
import {
  DEFAULT_LEASE_SECONDS,
  NODE_LIVENESS_SECONDS,
  SSE_KEEP_ALIVE_MS,
} from '@infernet/protocol';
import type { ServerDependencies } from './context';
import { POLL_RECHECK_MS } from './job-polling';
import type { Logger } from './logger';
import { createPricing, type Pricing } from './pricing';
import { TopicHub } from './realtime/topic-hub';

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
  const jobEvents = new TopicHub();
  const unsubscribers = [
    db.notifications.onJobAvailable((model) => jobAvailability.publish(model)),
    db.notifications.onJobEvents((jobId) => jobEvents.publish(jobId)),
  ];
  return {
    dependencies: {
      db,
      logger: options.logger,
      now: options.now ?? Date.now,
      replayStore: db.replay,
      jobAvailability,
      jobEvents,
      livenessSeconds: options.livenessSeconds ?? NODE_LIVENESS_SECONDS,
      leaseSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
      keepAliveMs: options.keepAliveMs ?? SSE_KEEP_ALIVE_MS,
      pollRecheckMs: options.pollRecheckMs ?? POLL_RECHECK_MS,
      pricing: options.pricing ?? createPricing('0', {}),
      modelAliases: new Map(Object.entries(options.modelAliases ?? {})),
    },
    disconnect() {
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}
