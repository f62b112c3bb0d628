import { Client } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { LISTENER_NAME_PREFIX } from './listening-peers';
import { JOB_EVENTS_CHANNEL, WILDCARD } from './notification-hub';
import { openDatabase } from './open-database';
import { createScratchDatabase, openTestDatabase, type ScratchDatabase } from './test-database';
import { claimedJob, createJob, nextValue, registerProvider } from './test-fixtures';
import type { Database, StoredEvent } from './types';

/** Each Database's LISTEN session is named after its origin (listening-peers.ts). */
const LISTENER_SESSIONS = `application_name LIKE '${LISTENER_NAME_PREFIX}%'`;
const databaseUrl = process.env.TEST_DATABASE_URL;
const onPglite = !databaseUrl;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function testDatabase(): Promise<Database> {
  const db = await openTestDatabase({ databaseUrl });
  cleanups.push(() => db.close());
  return db;
}

async function scratchDatabase(): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase(databaseUrl ?? '');
  cleanups.push(() => scratch.drop());
  return scratch;
}

async function openOn(url: string): Promise<Database> {
  const db = await openDatabase({ databaseUrl: url });
  cleanups.push(() => db.close());
  return db;
}

/**
 * Appends to `jobId` and waits until a listener of its own hears it. Notifications
 * of one Database arrive in commit order over one connection, so every earlier
 * one has then reached its listeners too.
 */
async function appendSentinel(db: Database, providerId: string, jobId: string): Promise<void> {
  const heard = nextValue(
    (listener) => db.notifications.onJobEvents(listener),
    (value) => value === jobId,
  );
  await db.events.append(jobId, providerId, [{ event_type: 'token', data: { text: 'end' } }]);
  await heard;
}

/** Polls `check` until it holds; fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
  }
}

/*
 * A Database opened with listen: false has no connection a notification could
 * arrive on, so no sentinel can prove that nothing arrived; this test alone
 * waits a bounded quiet period instead.
 */
const QUIET_PERIOD_MS = 100;

/** Counts the sessions of `database` selected by `where`. */
async function countSessions(database: string, where: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      `SELECT count(*) AS count FROM pg_stat_activity WHERE datname = $1 AND ${where}`,
      [database],
    );
    return Number(result.rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}

/** Terminates the sessions of `database` selected by `where`, from outside the pool under test. */
async function terminateSessions(database: string, where: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid() AND ${where}`,
      [database],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe('notifications in one process', () => {
  it('announces a new job by model, only after it is stored', async () => {
    const db = await testDatabase();
    const announced = nextValue((listener) => db.notifications.onJobAvailable(listener));
    const job = await createJob(db, 'llama3');
    expect(await announced).toBe('llama3');
    expect((await db.jobs.findById(job.id))?.status).toBe('queued');
  });

  it('hands this process the stored terminal event with the completion wake-up', async () => {
    const db = await testDatabase();
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    await db.events.append(job.id, provider.id, [{ event_type: 'token', data: { text: 'a' } }]);
    const delivered: (readonly StoredEvent[] | undefined)[] = [];
    const unsubscribe = db.notifications.onJobEvents((jobId, stored) => {
      if (jobId === job.id) delivered.push(stored);
    });
    await db.jobs.complete({
      jobId: job.id,
      providerId: provider.id,
      status: 'completed',
      result: { text: 'a' },
      error: null,
    });
    unsubscribe();
    const terminal = await db.events.listAfter(job.id, 1, 10);
    expect(terminal.map((event) => event.type)).toEqual(['done']);
    // Readers here yield these rows without reading them back; they must be the stored ones.
    expect(delivered).toEqual([terminal]);
  });

  it('announces stored events once per append call and on completion', async () => {
    const db = await testDatabase();
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    // Jobs whose events are appended last: every notification before them has been delivered.
    const sentinels = [await claimedJob(db, provider), await claimedJob(db, provider)];
    const received: string[] = [];
    const unsubscribe = db.notifications.onJobEvents((jobId) => received.push(jobId));

    const first = nextValue((listener) => db.notifications.onJobEvents(listener));
    await db.events.append(job.id, provider.id, [
      { event_type: 'token', data: { text: 'a' } },
      { event_type: 'token', data: { text: 'b' } },
      { event_type: 'token', data: { text: 'c' } },
    ]);
    expect(await first).toBe(job.id);
    const completion = nextValue((listener) => db.notifications.onJobEvents(listener));
    await db.jobs.complete({
      jobId: job.id,
      providerId: provider.id,
      status: 'completed',
      result: { text: 'abc' },
      error: null,
    });
    expect(await completion).toBe(job.id);
    await appendSentinel(db, provider.id, sentinels[0]!.id);
    expect(received).toEqual([job.id, job.id, sentinels[0]!.id]);

    unsubscribe();
    await createJob(db);
    await db.events.append(job.id, provider.id, [{ event_type: 'token', data: { text: 'x' } }]);
    await appendSentinel(db, provider.id, sentinels[1]!.id);
    expect(received).toHaveLength(3);
  });

  it('keeps delivering to the others when one listener throws', async () => {
    const db = await testDatabase();
    db.notifications.onJobAvailable(() => {
      throw new Error('listener bug');
    });
    const announced = nextValue((listener) => db.notifications.onJobAvailable(listener));
    await createJob(db, 'mistral');
    expect(await announced).toBe('mistral');
  });

  it('delivers nothing when opened with listen: false', async () => {
    const db = await openTestDatabase({ databaseUrl, listen: false });
    cleanups.push(() => db.close());
    const received: string[] = [];
    db.notifications.onJobAvailable((model) => received.push(model));
    db.notifications.onJobEvents((jobId) => received.push(jobId));
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    await db.events.append(job.id, provider.id, [{ event_type: 'token', data: { text: 'a' } }]);
    await new Promise((resolve) => setTimeout(resolve, QUIET_PERIOD_MS));
    expect(received).toEqual([]);
  });

  it('answers ping and closes idempotently', async () => {
    const db = await openTestDatabase({ databaseUrl });
    await db.ping();
    await Promise.all([db.close(), db.close()]);
    await expect(db.ping()).rejects.toThrow();
  });
});

describe.skipIf(onPglite)('notifications across processes (PostgreSQL)', () => {
  it('reach a second Database opened on the same database', async () => {
    const scratch = await scratchDatabase();
    const [producer, consumer] = await Promise.all([openOn(scratch.url), openOn(scratch.url)]);
    const announced = nextValue((listener) => consumer.notifications.onJobAvailable(listener));
    const job = await createJob(producer, 'llama3');
    expect(await announced).toBe('llama3');

    const provider = await registerProvider(producer);
    const [claimed] = await consumer.jobs.claim({
      providerId: provider.id,
      models: ['llama3'],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(claimed?.id).toBe(job.id);
    const streamed = nextValue((listener) => producer.notifications.onJobEvents(listener));
    await consumer.events.append(job.id, provider.id, [
      { event_type: 'token', data: { text: 'hi' } },
    ]);
    expect(await streamed).toBe(job.id);
  });

  it('reconnects a dropped listener, wakes every listener with a wildcard, then delivers again', async () => {
    const scratch = await scratchDatabase();
    const db = await openOn(scratch.url);
    const name = new URL(scratch.url).pathname.slice(1);
    const availableWildcard = nextValue((listener) => db.notifications.onJobAvailable(listener));
    const eventsWildcard = nextValue((listener) => db.notifications.onJobEvents(listener));

    expect(await terminateSessions(name, LISTENER_SESSIONS)).toBe(1);
    expect(await availableWildcard).toBe(WILDCARD);
    expect(await eventsWildcard).toBe(WILDCARD);

    const announced = nextValue(
      (listener) => db.notifications.onJobAvailable(listener),
      (model) => model !== WILDCARD,
    );
    await createJob(db, 'after-reconnect');
    expect(await announced).toBe('after-reconnect');
  });

  it('opens no LISTEN connection when asked not to listen', async () => {
    const scratch = await scratchDatabase();
    const name = new URL(scratch.url).pathname.slice(1);
    const quiet = await openDatabase({ databaseUrl: scratch.url, listen: false });
    cleanups.push(() => quiet.close());
    await createJob(quiet, 'llama3');
    expect(await countSessions(name, LISTENER_SESSIONS)).toBe(0);
    await openOn(scratch.url);
    expect(await countSessions(name, LISTENER_SESSIONS)).toBe(1);
  });

  it('sends a lone copy’s stored events to nobody, and to a second copy as soon as it listens', async () => {
    const scratch = await scratchDatabase();
    const lone = await openOn(scratch.url);
    const provider = await registerProvider(lone);
    const job = await claimedJob(lone, provider);
    // Someone listening on the channel who is no server copy hears no job events…
    const outsider = new Client({ connectionString: scratch.url });
    await outsider.connect();
    cleanups.push(() => outsider.end());
    const heard: string[] = [];
    const sentinelHeard = new Promise<void>((resolve) =>
      outsider.on('notification', (message) => {
        heard.push(message.payload ?? '');
        if (message.payload === 'sentinel') resolve();
      }),
    );
    await outsider.query(`LISTEN ${JOB_EVENTS_CHANNEL}`);
    await lone.events.append(job.id, provider.id, [{ event_type: 'token', data: { text: 'a' } }]);
    // …before a notification sent after the append, which arrives in commit order.
    await outsider.query(`SELECT pg_notify($1, 'sentinel')`, [JOB_EVENTS_CHANNEL]);
    await sentinelHeard;
    expect(heard).toEqual(['sentinel']);

    // A second copy announces itself when it starts listening; from then on it hears them.
    const second = await openOn(scratch.url);
    const reached: string[] = [];
    second.notifications.onJobEvents((jobId) => reached.push(jobId));
    await until(async () => {
      await lone.events.append(job.id, provider.id, [{ event_type: 'token', data: { text: 'b' } }]);
      return reached.includes(job.id);
    });
  });

  it('survives pooled connections being terminated', async () => {
    const scratch = await scratchDatabase();
    const db = await openOn(scratch.url);
    await Promise.all([db.ping(), db.ping(), db.jobs.counts()]);
    const name = new URL(scratch.url).pathname.slice(1);
    await terminateSessions(name, `NOT (${LISTENER_SESSIONS})`);
    // pg_terminate_backend only signals: wait until the pooled sessions are really gone.
    await until(async () => (await countSessions(name, `NOT (${LISTENER_SESSIONS})`)) === 0);
    await db.ping();
    expect((await db.jobs.counts()).queued).toBe(0);
  });
});
