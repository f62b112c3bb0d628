import { Client } from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, openPgliteDatabase } from './open-database';
import { createScratchDatabase, parkTestPglite, takeTestPglite } from './test-database';
import {
  claimedJob,
  providerInput,
  randomHex,
  registerProvider,
  specsServing,
} from './test-fixtures';
import type { Database } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;

let db: Database;
/** Runs a statement on the test's database outside the Database under test, to set up rows. */
let runSql: (sql: string, parameters: unknown[]) => Promise<unknown>;
let closeAll: () => Promise<void>;

beforeEach(async () => {
  if (!databaseUrl) {
    const pglite = await takeTestPglite();
    db = await openPgliteDatabase(pglite, () => parkTestPglite(pglite));
    runSql = (sql, parameters) => pglite.query(sql, parameters);
    closeAll = () => db.close();
    return;
  }
  const scratch = await createScratchDatabase(databaseUrl);
  db = await openDatabase({ databaseUrl: scratch.url });
  const client = new Client({ connectionString: scratch.url });
  await client.connect();
  runSql = (sql, parameters) => client.query(sql, parameters);
  closeAll = async () => {
    await db.close();
    await client.end();
    await scratch.drop();
  };
});
afterEach(async () => {
  await closeAll();
});

/** Moves a provider's last heartbeat `seconds` into the past, as if time had gone by. */
async function backdateLastSeen(publicKey: string, seconds: number): Promise<void> {
  await runSql(
    `UPDATE providers SET last_seen = now() - make_interval(secs => $2) WHERE public_key = $1`,
    [publicKey, seconds],
  );
}

describe('providers.register', () => {
  it('stores a new provider and maps every column', async () => {
    const input = providerInput({
      address: 'node.example',
      port: 46337,
      gpuModel: 'RTX 4090',
      price: 0.25,
      specs: specsServing('llama3'),
    });
    const result = await db.providers.register(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.provider).toMatchObject({
      publicKey: input.publicKey,
      nodeId: input.nodeId,
      role: 'provider',
      name: 'test node',
      status: 'available',
      address: 'node.example',
      port: 46337,
      gpuModel: 'RTX 4090',
      price: 0.25,
      specs: specsServing('llama3'),
    });
    expect(result.provider.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.provider.lastSeenAt).toBeInstanceOf(Date);
    expect(result.provider.createdAt).toBeInstanceOf(Date);
  });

  it('updates the row the key already owns, also under a new node_id', async () => {
    const first = await registerProvider(db, { nodeId: 'node-a' });
    const again = await registerProvider(db, {
      publicKey: first.publicKey,
      nodeId: 'node-b',
      name: 'renamed',
    });
    expect(again.id).toBe(first.id);
    expect(again.nodeId).toBe('node-b');
    expect(again.name).toBe('renamed');
    expect(again.createdAt).toEqual(first.createdAt);
    expect(await db.providers.list({ limit: 10 })).toHaveLength(1);
  });

  it('refuses a node_id that belongs to another key, on insert and on update', async () => {
    await registerProvider(db, { nodeId: 'shared' });
    expect(await db.providers.register(providerInput({ nodeId: 'shared' }))).toEqual({
      ok: false,
      reason: 'node_id_taken',
    });
    const other = await registerProvider(db, { nodeId: 'other' });
    expect(
      await db.providers.register(providerInput({ publicKey: other.publicKey, nodeId: 'shared' })),
    ).toEqual({ ok: false, reason: 'node_id_taken' });
    expect((await db.providers.findByPublicKey(other.publicKey))?.nodeId).toBe('other');
  });

  it('rejects a public key that is not lowercase hex', async () => {
    await expect(
      db.providers.register(providerInput({ publicKey: randomHex().toUpperCase() })),
    ).rejects.toThrow();
  });
});

describe('providers.heartbeat', () => {
  it('refreshes last_seen and status, keeps undefined fields and clears null ones', async () => {
    const provider = await registerProvider(db, {
      address: 'node.example',
      port: 8080,
      specs: specsServing('llama3'),
    });
    await backdateLastSeen(provider.publicKey, 60);
    const before = await db.providers.findByPublicKey(provider.publicKey);
    const beat = await db.providers.heartbeat(provider.publicKey, {
      status: 'busy',
      address: undefined,
      port: null,
      specs: undefined,
    });
    expect(beat).toMatchObject({
      id: provider.id,
      status: 'busy',
      address: 'node.example',
      port: null,
      specs: specsServing('llama3'),
    });
    // The heartbeat stamps the current time over the backdated one.
    expect(beat?.lastSeenAt?.getTime()).toBeGreaterThan(before?.lastSeenAt?.getTime() ?? Infinity);

    const replaced = await db.providers.heartbeat(provider.publicKey, {
      status: 'available',
      address: null,
      port: 9090,
      specs: specsServing('mistral'),
    });
    expect(replaced).toMatchObject({ address: null, port: 9090, specs: specsServing('mistral') });
  });

  it('returns null for a key without a row', async () => {
    const beat = await db.providers.heartbeat(randomHex(), {
      status: 'available',
      address: undefined,
      port: undefined,
      specs: undefined,
    });
    expect(beat).toBeNull();
  });
});

describe('providers.find*, list and remove', () => {
  it('finds by public key and by id, and treats a malformed id as absent', async () => {
    const provider = await registerProvider(db);
    expect(await db.providers.findByPublicKey(provider.publicKey)).toEqual(provider);
    expect(await db.providers.findById(provider.id)).toEqual(provider);
    expect(await db.providers.findByPublicKey(randomHex())).toBeNull();
    expect(await db.providers.findById('not-a-uuid')).toBeNull();
  });

  it('lists the newest heartbeat first, up to the limit', async () => {
    const older = await registerProvider(db);
    const newer = await registerProvider(db);
    // Both heartbeats lie in the past, the older one further back, so the list starts as [newer, older].
    await backdateLastSeen(older.publicKey, 120);
    await backdateLastSeen(newer.publicKey, 60);
    expect((await db.providers.list({ limit: 10 })).map((provider) => provider.id)).toEqual([
      newer.id,
      older.id,
    ]);
    await db.providers.heartbeat(older.publicKey, {
      status: 'available',
      address: undefined,
      port: undefined,
      specs: undefined,
    });
    const listed = await db.providers.list({ limit: 10 });
    expect(listed.map((provider) => provider.id)).toEqual([older.id, newer.id]);
    expect(await db.providers.list({ limit: 1 })).toHaveLength(1);
  });

  it('removes the row; finished jobs keep their history without it', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    await db.jobs.complete({
      jobId: job.id,
      providerId: provider.id,
      status: 'completed',
      result: { text: 'hi' },
      error: null,
    });
    expect(await db.providers.remove(provider.publicKey)).toEqual({
      deleted: true,
      id: provider.id,
      requeuedModels: [],
      failedJobIds: [],
    });
    expect(await db.providers.remove(provider.publicKey)).toEqual({
      deleted: false,
      requeuedModels: [],
      failedJobIds: [],
    });
    expect(await db.providers.findById(provider.id)).toBeNull();
    const kept = await db.jobs.findById(job.id);
    expect(kept).toMatchObject({ status: 'completed', providerId: null });
    expect(await db.events.listAfter(job.id, 0, 10)).toHaveLength(1);
  });

  it('on removal, requeues jobs not yet started and fails jobs already streaming', async () => {
    const provider = await registerProvider(db);
    const waiting = await claimedJob(db, provider);
    const streaming = await claimedJob(db, provider);
    await db.events.append(streaming.id, provider.id, [
      { event_type: 'token', data: { text: 'Hel' } },
    ]);
    expect(await db.providers.remove(provider.publicKey)).toMatchObject({
      requeuedModels: [waiting.model],
      failedJobIds: [streaming.id],
    });

    expect(await db.jobs.findById(waiting.id)).toMatchObject({
      status: 'queued',
      providerId: null,
      leaseExpiresAt: null,
    });
    const failed = await db.jobs.findById(streaming.id);
    expect(failed).toMatchObject({ status: 'failed', providerId: null });
    const events = await db.events.listAfter(streaming.id, 0, 10);
    expect(events.map((event) => [event.seq, event.type])).toEqual([
      [1, 'token'],
      [2, 'error'],
    ]);

    const successor = await registerProvider(db);
    const reclaimed = await db.jobs.claim({
      providerId: successor.id,
      models: [waiting.model],
      limit: 5,
      leaseSeconds: 30,
    });
    expect(reclaimed.map((job) => [job.id, job.fencingToken, job.attempts])).toEqual([
      [waiting.id, 2, 2],
    ]);
  });
});

describe('providers.servedModels', () => {
  it('counts live, not-offline providers per model, most served first', async () => {
    const stale = await registerProvider(db, { specs: specsServing('stale-model') });
    await backdateLastSeen(stale.publicKey, 600);
    await registerProvider(db, { specs: specsServing('llama3', 'mistral') });
    await registerProvider(db, { specs: specsServing('llama3') });
    await registerProvider(db, { status: 'offline', specs: specsServing('mistral', 'offline') });
    await registerProvider(db, { status: 'busy', specs: specsServing('busy-model') });

    expect(await db.providers.servedModels({ livenessSeconds: 300 })).toEqual([
      { name: 'llama3', nodes: 2 },
      { name: 'busy-model', nodes: 1 },
      { name: 'mistral', nodes: 1 },
    ]);
    const withStale = await db.providers.servedModels({ livenessSeconds: 900 });
    expect(withStale.map((model) => model.name)).toContain('stale-model');
  });
});
