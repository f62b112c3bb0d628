/**
 * Chaos scenarios with real processes: nodes killed, paused and restarted,
 * the control plane restarted, run twice, and cut off from its database.
 * They count rows, so each runs on its own scratch PostgreSQL database; they
 * run when TEST_DATABASE_URL names a PostgreSQL server (CI does).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openDatabase,
  createScratchDatabase,
  type Database,
  type ScratchDatabase,
} from '@infernet/db';
import { InfernetClient } from '@infernetprotocol/sdk';
import { freePort, startFakeOllama, waitFor, type FakeEngineServer } from '@infernet/testkit';
import { startNodeProcess, type NodeProcess } from './node-process';
import { startServerProcess, type ServerProcess } from './processes';
import { terminateConnections } from './terminate-connections';

const baseUrl = process.env.TEST_DATABASE_URL;
const MODEL = 'chaos-model';
const REPLY = Array.from({ length: 12 }, (_, index) => `t${index} `);
/** Short leases and a fast sweeper keep each scenario to seconds. */
const FAST_LEASES = { INFERNET_LEASE_SECONDS: '2', INFERNET_LEASE_SWEEP_INTERVAL_MS: '200' };

type StreamEvent = { event: string; data: unknown };

describe.skipIf(!baseUrl)('chaos: jobs survive crashes, pauses and restarts', () => {
  let scratch: ScratchDatabase;
  let db: Database;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    scratch = await createScratchDatabase(baseUrl!);
    db = await openDatabase({ databaseUrl: scratch.url });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await db.close();
    await scratch.drop();
  });

  async function server(env: Record<string, string> = {}): Promise<ServerProcess> {
    const started = await startServerProcess({ DATABASE_URL: scratch.url, ...FAST_LEASES, ...env });
    cleanups.push(() => started.stop('SIGKILL'));
    return started;
  }

  async function engine(
    options: Parameters<typeof startFakeOllama>[0] = {},
  ): Promise<FakeEngineServer> {
    const fake = await startFakeOllama({
      models: [MODEL],
      reply: () => REPLY,
      tokenDelayMs: 2,
      ...options,
    });
    cleanups.push(() => fake.close());
    return fake;
  }

  async function node(
    serverUrl: string,
    fake: FakeEngineServer,
    name: string,
  ): Promise<NodeProcess> {
    const started = await startNodeProcess({ serverUrl, engineUrl: fake.url, name });
    cleanups.push(() => started.remove());
    return started;
  }

  async function submit(serverUrl: string) {
    const client = new InfernetClient({ baseUrl: serverUrl });
    const job = await client.chat({ model: MODEL, messages: [{ role: 'user', content: 'go' }] });
    const events: StreamEvent[] = [];
    const finished = (async () => {
      for await (const event of client.streamJob({
        jobId: job.jobId,
        streamToken: job.streamToken,
      })) {
        events.push({ event: event.event, data: event.data });
      }
    })();
    return { job, events, finished };
  }

  const tokens = (events: StreamEvent[]) =>
    events
      .filter((event) => event.event === 'token')
      .map((event) => (event.data as { text: string }).text);

  async function heldBy(jobId: string, providerPublicKey: string) {
    const provider = await db.providers.findByPublicKey(providerPublicKey);
    const job = await db.jobs.findById(jobId);
    return provider !== null && job?.providerId === provider.id && job.status !== 'queued';
  }

  async function terminalEvents(jobId: string) {
    return (await db.events.listAfter(jobId, 0, 1000)).filter(
      (event) => event.type === 'done' || event.type === 'error',
    );
  }

  it('re-queues the job of a node killed before its first token; a second node completes it', async () => {
    const control = await server();
    const stuck = await node(
      control.url,
      await engine({ delayBeforeToken: () => Infinity }),
      'stuck',
    );
    const run = await submit(control.url);
    await waitFor(() => heldBy(run.job.jobId, stuck.key.publicKey), { timeoutMs: 10_000 });
    await stuck.stop('SIGKILL');
    const rescuer = await node(control.url, await engine(), 'rescuer');
    await run.finished;

    expect(tokens(run.events)).toEqual(REPLY);
    expect(run.events.at(-1)?.event).toBe('done');
    const job = await db.jobs.findById(run.job.jobId);
    const rescuerRow = await db.providers.findByPublicKey(rescuer.key.publicKey);
    expect(job).toMatchObject({ status: 'completed', providerId: rescuerRow!.id, attempts: 2 });
    expect(await terminalEvents(run.job.jobId)).toHaveLength(1);
    expect(await db.ledger.entriesForJob(run.job.jobId)).toHaveLength(2);
  });

  it('ends the stream with a clear error when a node dies after its first token', async () => {
    const control = await server();
    const fake = await engine({ delayBeforeToken: (index) => (index < 2 ? 0 : Infinity) });
    const dying = await node(control.url, fake, 'dying');
    const run = await submit(control.url);
    await waitFor(() => tokens(run.events).length === 2, { timeoutMs: 10_000 });
    await dying.stop('SIGKILL');
    await run.finished;

    expect(tokens(run.events)).toEqual(REPLY.slice(0, 2));
    const last = run.events.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data).toMatchObject({ code: 'NODE_LOST', delivered_tokens: 2 });
    expect((await db.jobs.findById(run.job.jobId))?.status).toBe('failed');
    expect(await terminalEvents(run.job.jobId)).toHaveLength(1);
    expect(await db.ledger.entriesForJob(run.job.jobId)).toEqual([]);
  });

  it('refuses a paused node that wakes up after its lease went to another node', async () => {
    const control = await server();
    // The first token comes 3 s after the request: long enough to pause the node before it.
    const sleepy = await node(
      control.url,
      await engine({ delayBeforeToken: (index) => (index === 0 ? 3_000 : 0) }),
      'sleepy',
    );
    const run = await submit(control.url);
    await waitFor(() => heldBy(run.job.jobId, sleepy.key.publicKey), { timeoutMs: 10_000 });
    sleepy.child.kill('SIGSTOP');
    await node(control.url, await engine(), 'awake');
    await run.finished;
    const eventsBefore = (await db.events.listAfter(run.job.jobId, 0, 1000)).length;
    sleepy.child.kill('SIGCONT');
    await sleepy.waitForLine(
      new RegExp(`${run.job.jobId}.*(LEASE_LOST|lease)|(LEASE_LOST|lease).*${run.job.jobId}`),
      20_000,
    );

    expect(tokens(run.events)).toEqual(REPLY);
    expect((await db.events.listAfter(run.job.jobId, 0, 1000)).length).toBe(eventsBefore);
    expect((await db.jobs.findById(run.job.jobId))?.status).toBe('completed');
    expect(await terminalEvents(run.job.jobId)).toHaveLength(1);
    expect(await db.ledger.entriesForJob(run.job.jobId)).toHaveLength(2);
  });

  it('resumes a reader across a control-plane restart with every token exactly once', async () => {
    const port = String(await freePort());
    const original = await server({ PORT: port });
    await node(original.url, await engine({ tokenDelayMs: 150 }), 'steady');
    const run = await submit(original.url);
    await waitFor(() => tokens(run.events).length >= 3, { timeoutMs: 10_000 });
    await original.stop('SIGKILL');
    // Same port and database: the node's retried posts and the reader's reconnect find it.
    await server({ PORT: port });
    await run.finished;

    expect(tokens(run.events)).toEqual(REPLY);
    expect(run.events.filter((event) => event.event === 'done')).toHaveLength(1);
  });

  it('behaves as one service across two server copies, with 20 concurrent streams', async () => {
    const [first, second] = await Promise.all([server(), server()]);
    const fake = await engine({
      reply: (request) => [`${request.messages.at(-1)?.content} `, 'on ', 'copy ', 'A'],
      tokenDelayMs: 5,
    });
    await startNodeProcess({
      serverUrl: first.url,
      engineUrl: fake.url,
      name: 'on-first',
      env: { INFERNET_MAX_CONCURRENT_JOBS: '20' },
    }).then((started) => cleanups.push(() => started.remove()));
    const client = new InfernetClient({ baseUrl: second.url });
    const streams = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const job = await client.chat({
          model: MODEL,
          messages: [{ role: 'user', content: `job-${index}` }],
        });
        const texts: string[] = [];
        for await (const event of client.streamJob({
          jobId: job.jobId,
          streamToken: job.streamToken,
        })) {
          if (event.event === 'token') texts.push((event.data as { text: string }).text);
        }
        return texts;
      }),
    );
    streams.forEach((texts, index) =>
      expect(texts).toEqual([`job-${index} `, 'on ', 'copy ', 'A']),
    );
  });

  it('recovers by itself when its database connections are terminated', async () => {
    const control = await server();
    await node(control.url, await engine(), 'survivor');
    const before = await submit(control.url);
    await before.finished;
    expect(await terminateConnections(baseUrl!, scratch.url)).toBeGreaterThan(0);

    // Until the pool reconnects a request may fail, but only as a retryable 503.
    await waitFor(
      async () => {
        const response = await fetch(`${control.url}/api/models`);
        if (response.status !== 200) {
          expect(response.status).toBe(503);
          expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
            'DATABASE_UNAVAILABLE',
          );
        }
        return response.status === 200;
      },
      { timeoutMs: 15_000 },
    );
    const after = await submit(control.url);
    await after.finished;
    expect(tokens(after.events)).toEqual(REPLY);
  });
});
