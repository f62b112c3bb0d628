import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type Database, type Notifications } from '@infernet/db';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { NotificationTransport } from './publishing-database';
import { openRedisTransport, withRedisNotifications } from './redis-notifications';
import { startTcpProxy } from './test-tcp-proxy';
import { WILDCARD } from './topic-hub';

const redisUrl = process.env.TEST_REDIS_URL;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Channel prefix unique to one test, so parallel runs on one Redis never hear each other. */
const uniquePrefix = () => `infernet-test-${randomBytes(6).toString('hex')}:`;

/** A logger whose records the test can read. */
function recordingLogger() {
  const records: { level: number; msg: string; redis?: string }[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  return { logger, records };
}

async function transport(
  url: string,
  channelPrefix: string,
  logger = pino({ level: 'silent' }),
): Promise<NotificationTransport> {
  const opened = await openRedisTransport({ redisUrl: url, channelPrefix, logger });
  cleanups.push(() => opened.close());
  return opened;
}

/** Every value the subscriptions deliver, as `available:x` / `events:x`. */
function record(notifications: Notifications): string[] {
  const received: string[] = [];
  notifications.onJobAvailable((model) => received.push(`available:${model}`));
  notifications.onJobEvents((jobId) => received.push(`events:${jobId}`));
  return received;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Redis notifications', () => {
  it('refuses to start when Redis cannot be reached', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await expect(
      openRedisTransport({ redisUrl: 'redis://127.0.0.1:1', logger: pino({ level: 'silent' }) }),
    ).rejects.toThrow(/Could not connect to Redis/);
  });
});

describe.skipIf(!redisUrl)('Redis notifications (real Redis)', () => {
  it('reach every copy with the same prefix, the publishing one included, and no other', async () => {
    const prefix = uniquePrefix();
    const [first, second, stranger] = await Promise.all([
      transport(redisUrl!, prefix),
      transport(redisUrl!, prefix),
      transport(redisUrl!, uniquePrefix()),
    ]);
    const atFirst = record(first.notifications);
    const atSecond = record(second.notifications);
    const atStranger = record(stranger.notifications);
    first.publisher.jobAvailable('llama3');
    second.publisher.jobEvents('job-1');
    await until(() => atFirst.length === 2 && atSecond.length === 2);
    expect(atFirst.sort()).toEqual(['available:llama3', 'events:job-1']);
    expect(atSecond.sort()).toEqual(['available:llama3', 'events:job-1']);
    // Redis delivers to one subscriber in the order it ran the publishes: once the
    // stranger hears its own later sentinel, anything meant for it has arrived.
    stranger.publisher.jobEvents('sentinel');
    await until(() => atStranger.length > 0);
    expect(atStranger).toEqual(['events:sentinel']);
  });

  it('keeps a write made during an outage, then wakes every waiter everywhere once Redis is back', async () => {
    const prefix = uniquePrefix();
    const proxy = await startTcpProxy(redisUrl!);
    cleanups.push(() => proxy.close());
    const { logger, records } = recordingLogger();
    const raw = await openTestDatabase({
      databaseUrl: process.env.TEST_DATABASE_URL,
      listen: false,
    });
    const db: Database = await withRedisNotifications(raw, {
      redisUrl: proxy.url,
      channelPrefix: prefix,
      logger,
    });
    cleanups.push(() => db.close());
    // Another copy, connected directly, so it never notices the outage itself.
    const observer = await transport(redisUrl!, prefix);
    const atObserver = record(observer.notifications);
    const atSelf = record(db.notifications);

    proxy.cut();
    const job = await db.jobs.createChat({
      model: 'outage-model',
      title: 'job',
      input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0 },
      streamTokenHash: randomBytes(32).toString('hex'),
    });
    expect(job).not.toBeNull();
    expect((await db.jobs.findById(job!.id))?.status).toBe('queued');
    await until(() => records.some((entry) => /Redis publish failed/.test(entry.msg)));
    expect(atObserver).toEqual([]);

    proxy.restore();
    // The publisher makes up for what it lost; the subscriber for what it may have missed.
    const wildcards = [`available:${WILDCARD}`, `events:${WILDCARD}`];
    await until(() => wildcards.every((value) => atObserver.includes(value)));
    await until(() => wildcards.every((value) => atSelf.includes(value)));

    atObserver.length = 0;
    await db.jobs.createChat({
      model: 'after-outage',
      title: 'job',
      input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0 },
      streamTokenHash: randomBytes(32).toString('hex'),
    });
    await until(() => atObserver.includes('available:after-outage'));
    expect(records.filter((entry) => /Redis publish failed/.test(entry.msg))).toHaveLength(1);
  });

  it('after its subscriber reconnects, wakes every listener with the wildcard, then delivers again', async () => {
    const prefix = uniquePrefix();
    const proxy = await startTcpProxy(redisUrl!);
    cleanups.push(() => proxy.close());
    // Nothing is published during the outage: any wildcard comes from the subscriber itself.
    const { logger, records } = recordingLogger();
    const listening = await transport(proxy.url, prefix, logger);
    const publishing = await transport(redisUrl!, prefix);
    const received = record(listening.notifications);

    proxy.cut();
    // Restore only once the subscriber has noticed it lost its connection.
    await until(() =>
      records.some(
        (entry) => /connection lost/.test(entry.msg) && entry.redis === `${prefix}subscriber`,
      ),
    );
    proxy.restore();
    await until(() => received.includes(`available:${WILDCARD}`));
    expect(received.sort()).toEqual([`available:${WILDCARD}`, `events:${WILDCARD}`]);

    // The wildcard comes only once the subscription is active again.
    publishing.publisher.jobEvents('job-after');
    await until(() => received.includes('events:job-after'));
  });

  it('closes both of its connections', async () => {
    const prefix = uniquePrefix();
    const inspector = new Redis(redisUrl!);
    cleanups.push(() => inspector.quit());
    const ours = async () =>
      ((await inspector.client('LIST')) as string)
        .split('\n')
        .filter((line) => line.includes(`name=${prefix}`)).length;
    const opened = await openRedisTransport({
      redisUrl: redisUrl!,
      channelPrefix: prefix,
      logger: pino({ level: 'silent' }),
    });
    expect(await ours()).toBe(2);
    await opened.close();
    // Redis drops a client from CLIENT LIST shortly after it quits: wait for that.
    let remaining = await ours();
    const deadline = Date.now() + 5_000;
    while (remaining > 0 && Date.now() < deadline) remaining = await ours();
    expect(remaining).toBe(0);
  });
});
