import type { RateLimitQueries } from '@infernet/db';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import { createLimits, type Limits } from './limits';
import { databaseRateLimitStore, openRedisRateLimitStore } from './rate-limit-store';

/**
 * The limits of a server copy, counted where REDIS_URL says: in Redis when it
 * is set (a connection of their own, closed by `close`), otherwise in the
 * database's `rate_limits` table. Rejects when Redis cannot be reached.
 */
export async function openLimits(
  config: Pick<ServerConfig, 'limits' | 'trustedProxies' | 'redisUrl'>,
  counters: RateLimitQueries,
  logger: Logger,
): Promise<{ limits: Limits; close(): Promise<void> }> {
  const options = { settings: config.limits, trustedProxies: config.trustedProxies };
  if (!config.redisUrl) {
    return {
      limits: createLimits({ ...options, store: databaseRateLimitStore(counters) }),
      close: async () => {},
    };
  }
  const redis = await openRedisRateLimitStore({ redisUrl: config.redisUrl, logger });
  return { limits: createLimits({ ...options, store: redis.store }), close: redis.close };
}
