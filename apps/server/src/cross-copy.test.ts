import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, signRequest, type KeyPair } from '@infernet/auth';
import { createTestCopies, parseSse, registerNode, signedPost, type TestApp } from './testing';

/*
 * Several server processes on one PostgreSQL must behave as one. Each test
 * runs two in-process copies, each with its own Database (pool, and LISTEN
 * connection or Redis connections), once per wake-up transport. Keep-alives
 * are a minute long and long polls wait 25 s, longer than a test may run: a
 * reader or poller that is not woken by a notification fails the test.
 */

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const POLL = '/api/v1/node/jobs/poll';
const MODEL = 'cross-copy-model';

const transports = [
  { name: 'PostgreSQL LISTEN/NOTIFY', redisUrl: undefined, skip: !databaseUrl },
  { name: 'Redis pub/sub', redisUrl, skip: !databaseUrl || !redisUrl },
];

interface Submitted {
  jobId: string;
  streamUrl: string;
}

/** Re-checks `check` every few milliseconds until it holds; fails after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Records what every `db.jobs.claim` of `copy` returns, in order. */
function recordClaims(copy: TestApp): { id: string }[][] {
  const results: { id: string }[][] = [];
  const jobs = copy.dependencies.db.jobs;
  const claim = jobs.claim.bind(jobs);
  jobs.claim = async (input) => {
    const claimed = await claim(input);
    results.push(claimed);
    return claimed;
  };
  return results;
}

async function submit(copy: TestApp): Promise<Submitted> {
  const response = await copy.app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Submitted;
}

async function poll(copy: TestApp, key: KeyPair, body: object, signal?: AbortSignal) {
  const response = await signedPost(copy.app, key, POLL, body, signal ? { signal } : {});
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { jobs: { id: string }[] } }).data.jobs;
}

async function postTokens(copy: TestApp, key: KeyPair, jobId: string, texts: string[]) {
  const response = await signedPost(copy.app, key, `/api/v1/node/jobs/${jobId}/events`, {
    events: texts.map((text) => ({ event_type: 'token', data: { text } })),
  });
  expect(response.status).toBe(200);
}

async function complete(copy: TestApp, key: KeyPair, jobId: string) {
  const response = await signedPost(copy.app, key, `/api/v1/node/jobs/${jobId}/complete`, {
    status: 'completed',
    result: { text: 'done', reason: 'stop' },
  });
  expect(response.status).toBe(200);
}

/** An SSE body read as it arrives. */
async function openStream(copy: TestApp, url: string) {
  const response = await copy.app.request(url);
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const readMore = async (): Promise<boolean> => {
    const { value, done } = await reader.read();
    if (done) return false;
    text += decoder.decode(value, { stream: true });
    return true;
  };
  return {
    async readUntil(needle: string): Promise<void> {
      while (!text.includes(needle)) {
        if (!(await readMore())) throw new Error(`stream ended before ${needle}`);
      }
    },
    /** Resolves with everything once the server ends the stream. */
    async readToEnd(): Promise<string> {
      while (await readMore());
      return text;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

/** The stream ended with `done` after exactly `texts` as tokens, in order, with ids 1, 2, 3 … */
function expectTokensOnceInOrder(body: string, texts: string[]) {
  const frames = parseSse(body).filter((frame) => frame.comment === undefined);
  expect(frames.map((frame) => frame.event)).toEqual(['job', ...texts.map(() => 'token'), 'done']);
  const stored = frames.slice(1);
  expect(stored.map((frame) => Number(frame.id))).toEqual(stored.map((_, index) => index + 1));
  expect(stored.slice(0, -1).map((frame) => JSON.parse(frame.data!).text)).toEqual(texts);
}

for (const transport of transports) {
  describe.skipIf(transport.skip)(`two server copies, wake-ups over ${transport.name}`, () => {
    let close: () => Promise<void>;
    let first: TestApp;
    let second: TestApp;
    const cleanups: (() => Promise<unknown>)[] = [];

    beforeEach(async () => {
      const copies = await createTestCopies({
        databaseUrl: databaseUrl!,
        redisUrl: transport.redisUrl,
        keepAliveMs: 60_000,
      });
      close = copies.close;
      [first, second] = copies.copies as [TestApp, TestApp];
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      await close();
    });

    it('wakes a node long-polling on one copy for a job submitted on the other', async () => {
      const node = generateKeyPair();
      await registerNode(first.app, node, { nodeId: 'poller', models: [MODEL] });
      const claims = recordClaims(first);
      const polling = poll(first, node, { wait: 25, limit: 1 });
      // Past its first, empty claim: from here only a notification ends the wait early.
      await until(() => claims.length > 0);
      expect(claims[0]).toEqual([]);

      const submittedAt = Date.now();
      const job = await submit(second);
      const jobs = await polling;
      expect(jobs.map((claimed) => claimed.id)).toEqual([job.jobId]);
      expect(Date.now() - submittedAt).toBeLessThan(5_000);
    });

    it('streams from one copy every token a node posts to the other, once each, in order', async () => {
      const node = generateKeyPair();
      await registerNode(first.app, node, { nodeId: 'streamer', models: [MODEL] });
      const job = await submit(first);
      expect((await poll(first, node, { wait: 0, limit: 1 }))[0]?.id).toBe(job.jobId);

      const wakeups: string[] = [];
      const unsubscribe = second.db.notifications.onJobEvents((jobId) => wakeups.push(jobId));
      cleanups.push(async () => unsubscribe());
      const stream = await openStream(second, job.streamUrl);
      cleanups.push(stream.cancel);
      await stream.readUntil('event: job');
      const texts: string[] = [];
      for (let batch = 0; batch < 5; batch += 1) {
        const flush = [0, 1, 2].map((index) => `b${batch}-t${index}`);
        texts.push(...flush);
        await postTokens(first, node, job.jobId, flush);
        // Each flush must reach the reader on its own: nothing else will wake it.
        await stream.readUntil(`"${flush.at(-1)}"`);
      }
      await complete(first, node, job.jobId);
      expectTokensOnceInOrder(await stream.readToEnd(), texts);
      // One notification per flush and one for the completion, never one per token.
      expect(wakeups.filter((jobId) => jobId === job.jobId)).toHaveLength(6);
    });

    it('streams from one copy the batches a node posts to the other for several jobs in one request', async () => {
      const node = generateKeyPair();
      await registerNode(first.app, node, { nodeId: 'uplink', models: [MODEL] });
      const jobs = [await submit(first), await submit(first)];
      const claimed = (await poll(first, node, { wait: 0, limit: 2 })) as unknown as {
        id: string;
        lease_token: string;
        fencing_token: number;
      }[];
      expect(claimed.map((job) => job.id).sort()).toEqual(jobs.map((job) => job.jobId).sort());
      const streams = await Promise.all(jobs.map((job) => openStream(second, job.streamUrl)));
      for (const stream of streams) {
        cleanups.push(stream.cancel);
        await stream.readUntil('event: job');
      }
      for (let batch = 1; batch <= 3; batch += 1) {
        const response = await first.app.request('/api/v1/node/events', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            batches: claimed.map((job) => ({
              job_id: job.id,
              lease_token: job.lease_token,
              fencing_token: job.fencing_token,
              batch,
              events: [{ event_type: 'token', data: { text: `${job.id}-b${batch}` } }],
            })),
          }),
        });
        expect(response.status).toBe(200);
        // Each job's reader on the other copy is woken for its own batch.
        for (const [index, stream] of streams.entries()) {
          await stream.readUntil(`"${jobs[index]!.jobId}-b${batch}"`);
        }
      }
      for (const [index, job] of jobs.entries()) {
        await complete(first, node, job.jobId);
        expectTokensOnceInOrder(
          await streams[index]!.readToEnd(),
          [1, 2, 3].map((batch) => `${job.jobId}-b${batch}`),
        );
      }
    });

    it('keeps 20 concurrent jobs and streams across the copies apart, each token once and in order', async () => {
      const total = 20;
      const nodes = [generateKeyPair(), generateKeyPair()] as const;
      const copies = [first, second] as const;
      await registerNode(first.app, nodes[0], { nodeId: 'node-first', models: [MODEL] });
      await registerNode(second.app, nodes[1], { nodeId: 'node-second', models: [MODEL] });

      // Each node long-polls its own copy before anything is submitted.
      const holders = new Map<string, KeyPair>();
      const claims: string[] = [];
      const stopPolling = new AbortController();
      const pollers = [0, 1].map(async (side) => {
        while (!stopPolling.signal.aborted) {
          const jobs = await poll(
            copies[side]!,
            nodes[side]!,
            { wait: 25, limit: 10 },
            stopPolling.signal,
          );
          for (const job of jobs) {
            claims.push(job.id);
            holders.set(job.id, nodes[side]!);
          }
          if (claims.length >= total) stopPolling.abort();
        }
      });
      await until(
        () =>
          first.dependencies.jobAvailability.size > 0 &&
          second.dependencies.jobAvailability.size > 0,
      );
      const jobs = await Promise.all(
        Array.from({ length: total }, (_, index) => submit(copies[index % 2]!)),
      );
      await Promise.all(pollers);
      expect(claims.sort()).toEqual(jobs.map((job) => job.jobId).sort());

      // Job i is read on one copy while its node posts to the other.
      const streams = await Promise.all(
        jobs.map((job, index) => openStream(copies[(index + 1) % 2]!, job.streamUrl)),
      );
      cleanups.push(...streams.map((stream) => stream.cancel));
      await Promise.all(streams.map((stream) => stream.readUntil('event: job')));
      const expected = jobs.map((_, index) =>
        Array.from({ length: 12 }, (_, position) => `j${index}-t${position}`),
      );
      await Promise.all(
        jobs.map(async (job, index) => {
          const copy = copies[index % 2]!;
          const holder = holders.get(job.jobId)!;
          for (let batch = 0; batch < 4; batch += 1) {
            await postTokens(
              copy,
              holder,
              job.jobId,
              expected[index]!.slice(batch * 3, batch * 3 + 3),
            );
          }
          await complete(copy, holder, job.jobId);
        }),
      );
      const bodies = await Promise.all(streams.map((stream) => stream.readToEnd()));
      bodies.forEach((body, index) => expectTokensOnceInOrder(body, expected[index]!));
    });

    it('refuses on one copy a signed request already accepted by the other', async () => {
      const key = generateKeyPair();
      await registerNode(first.app, key, { nodeId: 'replayed', models: [MODEL] });
      const body = JSON.stringify({ role: 'provider' });
      const { header } = signRequest({
        method: 'POST',
        path: '/api/v1/node/me',
        body,
        privateKey: key.privateKey,
        createdAt: Math.floor(Date.now() / 1000),
      });
      const send = (copy: TestApp) =>
        copy.app.request('/api/v1/node/me', {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'x-infernet-auth': header },
        });
      expect((await send(first)).status).toBe(200);
      const replayed = await send(second);
      expect(replayed.status).toBe(401);
      expect(((await replayed.json()) as { error: { code: string } }).error.code).toBe(
        'AUTH_REPLAYED_NONCE',
      );
    });
  });
}
