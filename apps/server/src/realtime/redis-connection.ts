import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger';

/** Probes an idle socket so a connection that died silently is noticed and re-opened. */
const TCP_KEEP_ALIVE_MS = 10_000;

/**
 * A Redis connection that does not connect until `connect()` is called, so
 * the caller can fail start-up on a wrong REDIS_URL instead of retrying
 * forever. Connection trouble is logged once per outage, not once per retry:
 * ioredis reports every failed attempt while it reconnects.
 */
export function createRedisConnection(
  redisUrl: string,
  options: { name: string; logger: Logger; redisOptions?: RedisOptions },
): Redis {
  const { name, logger } = options;
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    keepAlive: TCP_KEEP_ALIVE_MS,
    connectionName: name,
    ...options.redisOptions,
  });
  let healthy = true;
  const lost = (error?: Error): void => {
    if (!healthy) return;
    healthy = false;
    logger.warn({ err: error, redis: name }, 'Redis connection lost; reconnecting');
  };
  // Without an 'error' listener ioredis would print every failed attempt to the console.
  redis.on('error', (error: Error) => lost(error));
  redis.on('reconnecting', () => lost());
  redis.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info({ redis: name }, 'Redis connection back');
  });
  return redis;
}

/** Opens the connection or ends it for good, so a failed start-up leaves no retry loop behind. */
export async function connectOrEnd(redis: Redis): Promise<void> {
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Could not connect to Redis (${(error as Error).message}); check REDIS_URL and that Redis is running.`,
      { cause: error },
    );
  }
}

/**
 * Closes after the replies still on their way; a connection that is not up
 * is dropped, which also cancels a pending reconnect. (Waiting for 'end'
 * would hang there: ioredis emits none when it was between attempts.)
 */
export async function closeConnection(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else if (redis.status !== 'end') redis.disconnect();
}
