import type { Database } from '@infernet/db';
import type { ReplayStore } from '@infernet/auth';
import type { Logger } from './logger';
import type { Pricing } from './pricing';
import type { TopicHub } from './realtime/topic-hub';

export interface ServerDependencies {
  db: Database;
  logger: Logger;
  /** Unix milliseconds; injected so tests can move time. */
  now: () => number;
  replayStore: ReplayStore;
  /** Wakes long-polling nodes: topic = model name. */
  jobAvailability: TopicHub;
  /** Wakes SSE readers: topic = job id. */
  jobEvents: TopicHub;
  livenessSeconds: number;
  leaseSeconds: number;
  pricing: Pricing;
  /** Requested model name → served model name (INFERNET_MODEL_ALIASES). */
  modelAliases: ReadonlyMap<string, string>;
  keepAliveMs: number;
  /** A parked long poll re-checks the queue this often even without a notification. */
  pollRecheckMs: number;
}

/** Typed Hono context variables set by middleware and read by handlers. */
export interface AppVariables {
  requestId: string;
  /** Set by the node-auth middleware after the signature and nonce checked out. */
  publicKey: string;
  /** The exact bytes that were signed, decoded as UTF-8. */
  rawBody: string;
}

export interface AppEnv {
  Variables: AppVariables;
}
