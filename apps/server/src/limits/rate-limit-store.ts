import type { RateLimitQueries } from '@infernet/db';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Logger } from '../logger';
import { closeConnection, connectOrEnd, createRedisConnection } from '../realtime/redis-connection';
import { DatabaseRateLimiter } from './database-rate-limiter';

/** Where the counters every server copy shares live. */
export type RateLimitStore =
  | { kind: 'database'; counters: RateLimitQueries }
  | { kind: 'redis'; redis: Redis; keyPrefix: string };

/** The database's counters (PostgreSQL, or PGlite when embedded). */
export function databaseRateLimitStore(counters: RateLimitQueries): RateLimitStore {
  return { kind: 'database', counters };
}

/** What Redis keys start with unless told otherwise; tests pass a unique one per run. */
export const DEFAULT_REDIS_KEY_PREFIX = 'infernet:rate-limit:';

/** A Redis command that takes longer than this counts as failed, and the insurance counts instead. */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/**
 * Opens a Redis connection of its own for counters. Commands fail at once
 * while Redis is unreachable (no offline queue), so a request never waits
 * on an outage: each copy counts in memory until Redis is back.
 */
export async function openRedisRateLimitStore(options: {
  redisUrl: string;
  logger: Logger;
  keyPrefix?: string;
}): Promise<{ store: RateLimitStore; close(): Promise<void> }> {
  const keyPrefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  const redis = createRedisConnection(options.redisUrl, {
    name: `${keyPrefix}counters`,
    logger: options.logger,
    redisOptions: { enableOfflineQueue: false, commandTimeout: REDIS_COMMAND_TIMEOUT_MS },
  });
  await connectOrEnd(redis);
  return { store: { kind: 'redis', redis, keyPrefix }, close: () => closeConnection(redis) };
}

export interface SharedLimiterOptions {
  /** Names the limiter in stored keys, e.g. `chat-submits`. */
  name: string;
  points: number;
  /** Window length in seconds. */
  durationSeconds: number;
}

/**
 * A fixed-window limiter counted in `store`, so every copy sees one count.
 * When the store fails (Redis or the database unreachable) the library's
 * insurance takes over: the same limit counted in this process's memory,
 * which keeps clients limited per copy instead of failing their requests.
 */
export function createSharedLimiter(
  store: RateLimitStore,
  options: SharedLimiterOptions,
): RateLimiterAbstract {
  const { name, points, durationSeconds: duration } = options;
  const insuranceLimiter = new RateLimiterMemory({ keyPrefix: name, points, duration });
  if (store.kind === 'redis') {
    return new RateLimiterRedis({
      storeClient: store.redis,
      keyPrefix: `${store.keyPrefix}${name}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter,
    });
  }
  return new DatabaseRateLimiter({
    counters: store.counters,
    keyPrefix: name,
    points,
    duration,
    insuranceLimiter,
  });
}
