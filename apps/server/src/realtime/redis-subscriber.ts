import type { Notifications } from '@infernet/db';
import type { Logger } from '../logger';
import { NotificationHub } from '@infernet/db';
import type { RedisChannels } from './redis-channels';
import { closeConnection, connectOrEnd, createRedisConnection } from './redis-connection';

export interface RedisSubscriber {
  readonly notifications: Notifications;
  close(): Promise<void>;
}

/**
 * One subscribed connection per process, fanned out to every waiter in it:
 * a thousand waiting requests cost one Redis connection. Resolves once the
 * subscription is active, so a listener registered afterwards cannot miss a
 * message published after that.
 *
 * After a reconnect it subscribes again and only then calls every listener
 * with the wildcard: anything published while it was away is lost but
 * already in the database, which the woken waiters re-read; anything
 * published after the new subscription arrives as usual.
 */
export async function openRedisSubscriber(options: {
  redisUrl: string;
  channels: RedisChannels;
  connectionName: string;
  logger: Logger;
}): Promise<RedisSubscriber> {
  const { channels, logger } = options;
  const listeners = new NotificationHub();
  const redis = createRedisConnection(options.redisUrl, {
    name: options.connectionName,
    logger,
    // Resubscribing ourselves tells us when the subscription is active again; ioredis would not.
    redisOptions: { autoResubscribe: false },
  });
  redis.on('message', (channel: string, message: string) => {
    if (channel === channels.jobAvailable) listeners.jobAvailable(message);
    else if (channel === channels.jobEvents) listeners.jobEvents(message);
  });
  const subscribe = async (): Promise<void> => {
    await redis.subscribe(channels.jobAvailable, channels.jobEvents);
  };

  let started = false;
  let closed = false;
  redis.on('ready', () => {
    // The first 'ready' belongs to start-up, which subscribes below.
    if (!started) return;
    subscribe().then(
      () => listeners.wakeAll(),
      (error: unknown) => {
        if (closed) return;
        logger.warn({ err: error }, 'Redis resubscribe failed; reconnecting');
        // A fresh connection brings another 'ready' and another try.
        redis.disconnect(true);
      },
    );
  });

  await connectOrEnd(redis);
  try {
    await subscribe();
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  started = true;

  return {
    notifications: listeners,
    async close() {
      closed = true;
      listeners.clear();
      await closeConnection(redis);
    },
  };
}
