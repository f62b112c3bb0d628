import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestDatabase, type Database, type ProviderRecord } from '@infernet/db';
import { EMPTY_NODE_SPECS } from '@infernet/protocol';
import { pino } from 'pino';
import { NotificationHub } from '@infernet/db';
import {
  withNotificationTransport,
  type NotificationPublisher,
  type NotificationTransport,
} from './publishing-database';

const MODEL = 'publish-model';
const token = (text: string) => ({ event_type: 'token' as const, data: { text } });
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Records what the decorator publishes, in order, as `available:model` / `events:jobId`. */
function recordingTransport() {
  const published: string[] = [];
  const publisher: NotificationPublisher = {
    jobAvailable: (model) => published.push(`available:${model}`),
    jobEvents: (jobId) => published.push(`events:${jobId}`),
  };
  const close = vi.fn(async () => {});
  const transport: NotificationTransport = {
    publisher,
    notifications: new NotificationHub(),
    close,
  };
  return { transport, published, close };
}

let raw: Database;
let db: Database;
let published: string[];
let transport: NotificationTransport;
let transportClose: ReturnType<typeof vi.fn>;
let provider: ProviderRecord;
const logger = pino({ level: 'silent' });

beforeEach(async () => {
  raw = await openTestDatabase({ databaseUrl: process.env.TEST_DATABASE_URL, listen: false });
  const recording = recordingTransport();
  published = recording.published;
  transport = recording.transport;
  transportClose = recording.close;
  db = withNotificationTransport(raw, recording.transport, logger);
  provider = await register(db);
});
afterEach(async () => {
  await db.close();
});

async function register(target: Database): Promise<ProviderRecord> {
  const result = await target.providers.register({
    publicKey: hex(32),
    nodeId: `node-${hex(4)}`,
    role: 'provider',
    name: null,
    status: 'available',
    address: null,
    port: null,
    gpuModel: null,
    price: null,
    specs: { ...EMPTY_NODE_SPECS, served_models: [MODEL] },
  });
  if (!result.ok) throw new Error(result.reason);
  return result.provider;
}

async function createJob(model = MODEL, requireLiveProviderWithinSeconds?: number) {
  return db.jobs.createChat({
    model,
    title: 'job',
    input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0 },
    streamTokenHash: hex(32),
    requireLiveProviderWithinSeconds,
  });
}

/**
 * A job of its own model that `holder` claimed, with nothing published yet;
 * `leaseSeconds: 0` makes its lease expire at once.
 */
async function claimedJob(holder = provider, leaseSeconds = 30) {
  const job = await createJob(`model-${hex(4)}`);
  const [claimed] = await db.jobs.claim({
    providerId: holder.id,
    models: [job!.model],
    limit: 1,
    leaseSeconds,
  });
  if (!job || claimed?.id !== job.id) throw new Error('claim missed the job');
  published.length = 0;
  return claimed;
}

describe('a database that publishes its wake-ups', () => {
  it('announces a new job by model, and nothing when none was created', async () => {
    const job = await createJob();
    expect(published).toEqual([`available:${MODEL}`]);
    published.length = 0;
    await db.providers.remove(provider.publicKey);
    expect(await createJob(MODEL, 60)).toBeNull();
    expect(published).toEqual([]);
    expect(job?.model).toBe(MODEL);
  });

  it('announces stored events once per call, not per token, and never a refused or repeated batch', async () => {
    const job = await claimedJob();
    const batch = [token('a'), token('b'), token('c')];
    expect(await db.events.append(job.id, provider.id, batch, { batch: 1 })).toMatchObject({
      inserted: 3,
    });
    expect(published).toEqual([`events:${job.id}`]);
    expect(await db.events.append(job.id, provider.id, batch, { batch: 1 })).toMatchObject({
      duplicate: true,
    });
    const stranger = await register(db);
    expect(await db.events.append(job.id, stranger.id, batch)).toMatchObject({ ok: false });
    expect(published).toEqual([`events:${job.id}`]);
  });

  it('announces a completion and a cancellation once, not their repeats', async () => {
    const completed = await claimedJob();
    const completion = {
      jobId: completed.id,
      providerId: provider.id,
      status: 'completed' as const,
      result: { text: 'done' },
      error: null,
    };
    await db.jobs.complete(completion);
    expect(await db.jobs.complete(completion)).toMatchObject({ ok: true, changed: false });
    expect(published).toEqual([`events:${completed.id}`]);
    const cancelled = await claimedJob();
    await db.jobs.cancel(cancelled.id, 'Cancelled by the consumer.');
    expect(await db.jobs.cancel(cancelled.id, 'again')).toMatchObject({ changed: false });
    expect(published).toEqual([`events:${cancelled.id}`]);
    expect(await db.jobs.findById(completed.id)).toMatchObject({ status: 'completed' });
  });

  it('announces a released job to nodes when re-queued and to its reader when failed', async () => {
    const quiet = await claimedJob();
    const release = { providerId: provider.id, reason: 'draining' };
    expect(await db.jobs.release({ ...release, jobId: quiet.id })).toMatchObject({
      outcome: 'requeued',
    });
    expect(published).toEqual([`available:${quiet.model}`]);
    const streaming = await claimedJob();
    await db.events.append(streaming.id, provider.id, [token('a')]);
    published.length = 0;
    expect(await db.jobs.release({ ...release, jobId: streaming.id })).toMatchObject({
      outcome: 'failed',
    });
    expect(published).toEqual([`events:${streaming.id}`]);
  });

  it('announces what a lease sweep took back', async () => {
    const first = await claimedJob(provider, 0);
    const second = await claimedJob(provider, 0);
    const streaming = await claimedJob(provider, 0);
    await db.events.append(streaming.id, provider.id, [token('a')], { leaseSeconds: 0 });
    published.length = 0;
    const sweep = await db.jobs.expireLeases({ maxAttempts: 3 });
    expect(sweep).toMatchObject({ requeued: 2, failed: 1 });
    expect(published.sort()).toEqual(
      [`available:${first.model}`, `available:${second.model}`, `events:${streaming.id}`].sort(),
    );
  });

  it('announces abandoned jobs it cancelled and the jobs a leaving provider released', async () => {
    const abandoned = await claimedJob();
    await db.jobs.trackReader(abandoned.id, 1);
    await db.jobs.trackReader(abandoned.id, -1);
    // A negative grace puts the cut-off a minute after the departure, so the job
    // counts as abandoned without waiting for the database clock to move.
    expect(await db.jobs.cancelAbandoned({ graceSeconds: -60 })).toEqual({
      count: 1,
      jobIds: [abandoned.id],
    });
    expect(published).toEqual([`events:${abandoned.id}`]);

    const waiting = await claimedJob();
    const streaming = await claimedJob();
    await db.events.append(streaming.id, provider.id, [token('a')]);
    published.length = 0;
    await db.providers.remove(provider.publicKey);
    expect(published).toEqual([`available:${waiting.model}`, `events:${streaming.id}`]);
  });

  it('keeps a write that a throwing publisher follows', async () => {
    const warnings: unknown[] = [];
    const failing = withNotificationTransport(
      raw,
      {
        publisher: {
          jobAvailable: () => {
            throw new Error('publisher bug');
          },
          jobEvents: () => {
            throw new Error('publisher bug');
          },
        },
        notifications: new NotificationHub(),
        close: async () => {},
      },
      { warn: (...args: unknown[]) => warnings.push(args) } as unknown as typeof logger,
    );
    const job = await failing.jobs.createChat({
      model: MODEL,
      title: 'job',
      input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0 },
      streamTokenHash: hex(32),
    });
    expect(job).not.toBeNull();
    expect((await raw.jobs.findById(job!.id))?.status).toBe('queued');
    expect(warnings).toHaveLength(1);
  });

  it('takes its notifications from the transport and closes it once with the database', async () => {
    expect(db.notifications).toBe(transport.notifications);
    await Promise.all([db.close(), db.close()]);
    expect(transportClose).toHaveBeenCalledTimes(1);
    await expect(raw.ping()).rejects.toThrow();
  });
});
