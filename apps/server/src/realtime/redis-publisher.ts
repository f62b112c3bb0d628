import type { Logger } from '../logger';
import type { NotificationPublisher } from './publishing-database';
import type { RedisChannels } from './redis-channels';
import { closeConnection, connectOrEnd, createRedisConnection } from './redis-connection';
import { WILDCARD } from './topic-hub';

/** How long one publish may take before it counts as lost. */
const PUBLISH_TIMEOUT_MS = 2_000;

export interface RedisPublisher extends NotificationPublisher {
  /** Waits for publishes still on their way (each bounded by a timeout), then closes. */
  close(): Promise<void>;
}

/**
 * Publishes wake-ups on their own connection (a subscribed connection may
 * not publish). Publishing never waits and never throws: while Redis is
 * unreachable a publish fails at once instead of queueing (no offline queue),
 * the failure is logged once per outage, and the write it follows stands.
 *
 * A lost publish is made up for with the wildcard on both channels, sent by
 * the first publish after the loss or as soon as the connection is back: it
 * makes every waiter of every copy re-check the database, which by then holds
 * whatever the lost message announced. Subscribers that stayed connected
 * would otherwise never learn that they missed something.
 */
export async function openRedisPublisher(options: {
  redisUrl: string;
  channels: RedisChannels;
  connectionName: string;
  logger: Logger;
}): Promise<RedisPublisher> {
  const { channels, logger } = options;
  const redis = createRedisConnection(options.redisUrl, {
    name: options.connectionName,
    logger,
    redisOptions: { enableOfflineQueue: false, commandTimeout: PUBLISH_TIMEOUT_MS },
  });
  const inFlight = new Set<Promise<void>>();
  /** Publishes lost so far, and how many of them a delivered wildcard has made up for. */
  let lost = 0;
  let madeUpFor = 0;
  let wildcardInFlight = false;

  // Async, so even a synchronous throw inside ioredis becomes a rejection handled below.
  async function publishAll(messages: readonly (readonly [string, string])[]): Promise<void> {
    await Promise.all(messages.map(([channel, message]) => redis.publish(channel, message)));
  }

  function send(
    messages: readonly (readonly [string, string])[],
    onDelivered?: () => void,
  ): Promise<void> {
    const sending = publishAll(messages).then(
      () => onDelivered?.(),
      (error: unknown) => {
        if (lost === madeUpFor) {
          logger.warn(
            { err: error },
            'Redis publish failed; other copies wake late until it is back (the write stands)',
          );
        }
        lost += 1;
      },
    );
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
    return sending;
  }

  function sendWildcard(): void {
    // Only losses recorded before it was sent: their writes had committed by then.
    const covers = lost;
    wildcardInFlight = true;
    const messages = [
      [channels.jobAvailable, WILDCARD],
      [channels.jobEvents, WILDCARD],
    ] as const;
    void send(messages, () => {
      madeUpFor = Math.max(madeUpFor, covers);
      logger.info('Redis publishing is back; every waiter was told to re-check');
    }).finally(() => (wildcardInFlight = false));
  }

  function publish(channel: string, topic: string): void {
    // The wildcard also wakes whoever this message was for.
    if (lost > madeUpFor && !wildcardInFlight) sendWildcard();
    else void send([[channel, topic]]);
  }

  redis.on('ready', () => {
    if (lost > madeUpFor && !wildcardInFlight) sendWildcard();
  });
  await connectOrEnd(redis);

  return {
    jobAvailable: (model) => publish(channels.jobAvailable, model),
    jobEvents: (jobId) => publish(channels.jobEvents, jobId),
    async close() {
      await Promise.allSettled([...inFlight]);
      await closeConnection(redis);
    },
  };
}
