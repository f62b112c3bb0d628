import type { NodeEvent } from '@infernet/protocol';
import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import { claimedJob, createJob, registerProvider } from './test-fixtures';
import type { Database } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
});
afterEach(async () => {
  await db.close();
});

function tokens(...texts: string[]): NodeEvent[] {
  return texts.map((text) => ({ event_type: 'token', data: { text } }));
}

describe('events.append', () => {
  it('stores events in order with contiguous seq and marks the job running', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    // A node's claim about who it is gets overwritten with its own row.
    const meta: NodeEvent = {
      event_type: 'meta',
      data: { provider_node_id: 'someone-else', engine: 'ollama' },
    };
    expect(await db.events.append(job.id, provider.id, [meta, ...tokens('He')])).toEqual({
      ok: true,
      inserted: 2,
      duplicate: false,
    });
    expect((await db.jobs.findById(job.id))?.status).toBe('running');
    await db.events.append(job.id, provider.id, tokens('l', 'lo'));

    const events = await db.events.listAfter(job.id, 0, 100);
    expect(events.map((event) => [event.seq, event.type, event.data])).toEqual([
      [
        1,
        'meta',
        {
          engine: 'ollama',
          provider_id: provider.id,
          provider_node_id: provider.nodeId,
          provider_name: provider.name,
        },
      ],
      [2, 'token', { text: 'He' }],
      [3, 'token', { text: 'l' }],
      [4, 'token', { text: 'lo' }],
    ]);
    expect(events.every((event) => event.jobId === job.id)).toBe(true);
    expect(events[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('keeps seq gap-free under concurrent appends to one job', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    await Promise.all(
      Array.from({ length: 20 }, (_, batch) =>
        db.events.append(job.id, provider.id, tokens(`${batch}.a`, `${batch}.b`, `${batch}.c`)),
      ),
    );
    const events = await db.events.listAfter(job.id, 0, 1_000);
    expect(events.map((event) => event.seq)).toEqual(
      Array.from({ length: 60 }, (_, index) => index + 1),
    );
    // Each call's events stay together and in their posted order.
    for (let index = 0; index < events.length; index += 3) {
      const texts = events.slice(index, index + 3).map((event) => String(event.data.text));
      const batch = texts[0]?.split('.')[0];
      expect(texts).toEqual([`${batch}.a`, `${batch}.b`, `${batch}.c`]);
    }
  });

  it('drops node-posted done and error events; complete writes the terminal one', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    const result = await db.events.append(job.id, provider.id, [
      ...tokens('hi'),
      { event_type: 'done', data: { text: 'hi' } },
      { event_type: 'error', data: { message: 'nope' } },
    ]);
    expect(result).toEqual({ ok: true, inserted: 1, duplicate: false });
    expect(await db.events.append(job.id, provider.id, [{ event_type: 'done', data: {} }])).toEqual(
      { ok: true, inserted: 0, duplicate: false },
    );
    const events = await db.events.listAfter(job.id, 0, 10);
    expect(events.map((event) => event.type)).toEqual(['token']);
  });

  it('refuses other providers, jobs not held, finished jobs and unknown jobs', async () => {
    const owner = await registerProvider(db);
    const stranger = await registerProvider(db);
    const held = await claimedJob(db, owner);
    const queued = await createJob(db);

    expect(await db.events.append(held.id, stranger.id, tokens('x'))).toEqual({
      ok: false,
      reason: 'not_owner',
    });
    expect(await db.events.append(queued.id, owner.id, tokens('x'))).toEqual({
      ok: false,
      reason: 'not_active',
    });
    expect(await db.events.append(crypto.randomUUID(), owner.id, tokens('x'))).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await db.events.append('garbage', owner.id, tokens('x'))).toEqual({
      ok: false,
      reason: 'not_found',
    });
    await db.jobs.complete({
      jobId: held.id,
      providerId: owner.id,
      status: 'completed',
      result: { text: '' },
      error: null,
    });
    expect(await db.events.append(held.id, owner.id, tokens('late'))).toEqual({
      ok: false,
      reason: 'not_active',
    });
    expect((await db.events.listAfter(held.id, 0, 10)).map((event) => event.type)).toEqual([
      'done',
    ]);
  });

  it('stores text that jsonb cannot hold verbatim (NUL, lone surrogates) as U+FFFD', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    await db.events.append(job.id, provider.id, tokens('a\u0000b', 'c\ud800d', 'e\\u0000f'));
    const events = await db.events.listAfter(job.id, 0, 10);
    expect(events.map((event) => event.data.text)).toEqual(['a\ufffdb', 'c\ufffdd', 'e\\u0000f']);
  });
});

describe('events.append lease renewal', () => {
  it('renews the lease once a sixth of it has passed, and leaves it alone before', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    const claimedUntil = job.leaseExpiresAt!.getTime();
    // Just claimed for 30 s: all of a 30 s lease is left, nothing to renew.
    await db.events.append(job.id, provider.id, tokens('a'), { leaseSeconds: 30 });
    expect((await db.jobs.findById(job.id))!.leaseExpiresAt!.getTime()).toBe(claimedUntil);
    // Measured against a 60 s lease, half is left: renewed to a full 60 s.
    await db.events.append(job.id, provider.id, tokens('b'), { leaseSeconds: 60 });
    expect((await db.jobs.findById(job.id))!.leaseExpiresAt!.getTime()).toBeGreaterThan(
      claimedUntil + 25_000,
    );
  });
});

describe('events.listAfter', () => {
  it('pages by seq', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    await db.events.append(job.id, provider.id, tokens('1', '2', '3', '4', '5'));
    const page = await db.events.listAfter(job.id, 2, 2);
    expect(page.map((event) => event.seq)).toEqual([3, 4]);
    expect(await db.events.listAfter(job.id, 5, 10)).toEqual([]);
    expect(await db.events.listAfter('garbage', 0, 10)).toEqual([]);
  });

  it('counts a reader in the same read when asked, until it is counted out', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    await db.events.append(job.id, provider.id, tokens('a'));
    for (const reader of ['first', 'second']) {
      const read = await db.events.listAfter(job.id, 0, 10, { countReader: true });
      expect(
        read.map((event) => event.data.text),
        reader,
      ).toEqual(['a']);
    }
    // A negative grace puts the cut-off after any departure: only a counted reader saves it.
    await db.jobs.trackReader(job.id, -1);
    expect((await db.jobs.cancelAbandoned({ graceSeconds: -60 })).jobIds).toEqual([]);
    await db.jobs.trackReader(job.id, -1);
    expect((await db.jobs.cancelAbandoned({ graceSeconds: -60 })).jobIds).toEqual([job.id]);
  });

  it('stores a run of tokens as one row and resumes inside it', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    const meta: NodeEvent = { event_type: 'meta', data: { engine: 'ollama' } };
    await db.events.append(job.id, provider.id, [meta, ...tokens('a', 'b', 'c')]);
    await db.events.append(job.id, provider.id, tokens('d'));

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped tables in a test.
    const kysely = new Kysely<any>({ dialect: db.kyselyDialect });
    try {
      const rows = await kysely
        .selectFrom('job_events')
        .select(['seq', 'type', 'event_count'])
        .where('job_id', '=', job.id)
        .orderBy('seq')
        .execute();
      expect(rows.map((row) => [Number(row.seq), row.type, row.event_count])).toEqual([
        [1, 'meta', 1],
        [2, 'tokens', 3],
        [5, 'tokens', 1],
      ]);
    } finally {
      await kysely.destroy();
    }
    const resumed = await db.events.listAfter(job.id, 2, 2);
    expect(resumed.map((event) => [event.seq, event.type, event.data.text])).toEqual([
      [3, 'token', 'b'],
      [4, 'token', 'c'],
    ]);
    const rest = await db.events.listAfter(job.id, 3, 10);
    expect(rest.map((event) => event.data.text)).toEqual(['c', 'd']);
  });
});
