import type { Database } from '@infernet/db';
import type { Logger } from '../logger';
import { withNotificationTransport, type NotificationTransport } from './publishing-database';
import { DEFAULT_REDIS_CHANNEL_PREFIX, redisChannels } from './redis-channels';
import { openRedisPublisher } from './redis-publisher';
import { openRedisSubscriber } from './redis-subscriber';

export interface RedisNotificationOptions {
  /** redis:// or rediss:// URL. */
  redisUrl: string;
  logger: Logger;
  /**
   * Channel names start with this (default `infernet:`). Every copy of one
   * deployment must use the same; tests pass a unique one per run.
   */
  channelPrefix?: string;
}

/** Opens the two connections: one subscribed (one per process), one to publish on. */
export async function openRedisTransport(
  options: RedisNotificationOptions,
): Promise<NotificationTransport> {
  const prefix = options.channelPrefix ?? DEFAULT_REDIS_CHANNEL_PREFIX;
  const shared = {
    redisUrl: options.redisUrl,
    channels: redisChannels(prefix),
    logger: options.logger,
  };
  const [subscriber, publisher] = await Promise.allSettled([
    openRedisSubscriber({ ...shared, connectionName: `${prefix}subscriber` }),
    openRedisPublisher({ ...shared, connectionName: `${prefix}publisher` }),
  ]);
  if (subscriber.status === 'rejected' || publisher.status === 'rejected') {
    // Close whichever did open, so a failed start-up leaves no connection behind.
    if (subscriber.status === 'fulfilled') await subscriber.value.close();
    if (publisher.status === 'fulfilled') await publisher.value.close();
    throw subscriber.status === 'rejected'
      ? subscriber.reason
      : (publisher as PromiseRejectedResult).reason;
  }
  return {
    publisher: publisher.value,
    notifications: subscriber.value.notifications,
    async close() {
      await Promise.all([subscriber.value.close(), publisher.value.close()]);
    },
  };
}

/**
 * Makes Redis pub/sub carry the wake-ups between server copies instead of
 * PostgreSQL LISTEN/NOTIFY. `db` should be opened with `listen: false`. The
 * returned Database publishes after each write that can wake a waiter, its
 * `notifications` come from Redis, and closing it closes both Redis
 * connections. Rejects when Redis cannot be reached at start-up; later
 * outages are logged and ridden out (see `openRedisPublisher`).
 *
 * @example
 * const db = await openDatabase({ databaseUrl, listen: false });
 * const shared = await withRedisNotifications(db, { redisUrl: 'redis://127.0.0.1:6379', logger });
 */
export async function withRedisNotifications(
  db: Database,
  options: RedisNotificationOptions,
): Promise<Database> {
  return withNotificationTransport(db, await openRedisTransport(options), options.logger);
}
