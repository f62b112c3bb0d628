import { randomBytes } from 'node:crypto';
import { signRequest, type KeyPair } from '@infernet/auth';
import { createScratchDatabase, openDatabase, openTestDatabase, type Database } from '@infernet/db';
import { pino } from 'pino';
import {
  DEFAULT_LEASE_SECONDS,
  DEFAULT_QUEUE_DEADLINE_SECONDS,
  DEFAULT_QUEUE_MAX_PER_MODEL,
} from '@infernet/protocol';
import { createApp } from './app';
import type { QueueSettings } from './context';
import { DEFAULT_NIM_MODEL, createNimFallback } from './fallback/nim-fallback';
import { wireDependencies } from './dependencies';
import {
  DEFAULT_LIMIT_SETTINGS,
  withoutRateLimits,
  type LimitSettings,
} from './limits/limit-settings';
import { createLimits } from './limits/limits';
import {
  databaseRateLimitStore,
  openRedisRateLimitStore,
  type RateLimitStore,
} from './limits/rate-limit-store';
import { createPricing } from './pricing';
import { withRedisNotifications } from './realtime/redis-notifications';

export interface TestAppOptions {
  keepAliveMs?: number;
  leaseSeconds?: number;
  pricePerMillionTokens?: string;
  modelAliases?: Record<string, string>;
  /** better-auth's per-IP sign-in limits; off in tests unless a test is about them. */
  authRateLimit?: boolean;
  /** Limits to enforce: every rate and stream limit is off unless set here. */
  limits?: Partial<LimitSettings>;
  /** As INFERNET_TRUST_PROXY; default 0. */
  trustedProxies?: number;
  /** As INFERNET_QUEUE_MAX_PER_MODEL and INFERNET_QUEUE_DEADLINE_SECONDS. */
  queue?: Partial<QueueSettings>;
  /** The server's clock in Unix milliseconds (default Date.now), for tests that move time. */
  now?: () => number;
  /** As the NVIDIA_NIM_* settings, pointed at a fake NIM (testkit's `startFakeNim`). */
  nim?: { apiUrl: string; apiKey: string; defaultModel?: string };
}

const silentLogger = pino({ level: 'silent' });

/** Signs test session cookies; real servers use INFERNET_AUTH_SECRET or a random one. */
const TEST_AUTH_SECRET = 'test-only-auth-secret-0123456789abcdef';

/** Where rate limits count when not in `db`, and how to let go of it. */
interface TestRateLimitStore {
  store: RateLimitStore;
  close(): Promise<void>;
}

/** An app on `db`, as `startServer` wires one; `close` also closes `db` (and `counters`). */
function appOn(db: Database, options: TestAppOptions, counters?: TestRateLimitStore) {
  const limits = createLimits({
    store: counters?.store ?? databaseRateLimitStore(db.rateLimits),
    settings: { ...withoutRateLimits(DEFAULT_LIMIT_SETTINGS), ...options.limits },
    trustedProxies: options.trustedProxies,
  });
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const queue = {
    maxPerModel: options.queue?.maxPerModel ?? DEFAULT_QUEUE_MAX_PER_MODEL,
    deadlineSeconds: options.queue?.deadlineSeconds ?? DEFAULT_QUEUE_DEADLINE_SECONDS,
  };
  const chatFallback = options.nim
    ? createNimFallback({
        apiKey: options.nim.apiKey,
        apiUrl: options.nim.apiUrl,
        defaultModel: options.nim.defaultModel ?? DEFAULT_NIM_MODEL,
        db,
        logger: silentLogger,
        leaseSeconds,
        queueDeadlineSeconds: queue.deadlineSeconds,
      })
    : null;
  const { dependencies, disconnect } = wireDependencies({
    db,
    logger: silentLogger,
    now: options.now,
    keepAliveMs: options.keepAliveMs,
    leaseSeconds,
    // Long enough that a test passing in time proves a notification woke the poll.
    pollRecheckMs: 60_000,
    pricing: createPricing(options.pricePerMillionTokens ?? '0', {}),
    modelAliases: options.modelAliases,
    authSecret: TEST_AUTH_SECRET,
    publicUrl: 'http://localhost',
    authRateLimit: options.authRateLimit ?? false,
    limits,
    queue,
    chatFallback,
  });
  const app = createApp(dependencies);
  return {
    app,
    db,
    dependencies,
    async close() {
      await chatFallback?.close();
      disconnect();
      await db.close();
      await counters?.close();
    },
  };
}

/** Test-only: an in-process app on a fresh database (PGlite, or Postgres with TEST_DATABASE_URL). */
export async function createTestApp(options: TestAppOptions = {}) {
  return appOn(await openTestDatabase({ databaseUrl: process.env.TEST_DATABASE_URL }), options);
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

export interface TestCopiesOptions extends TestAppOptions {
  /**
   * A PostgreSQL URL whose role may create databases (TEST_DATABASE_URL).
   * Absent: the copies share one in-process PGlite (and its notifications).
   */
  databaseUrl: string | undefined;
  /**
   * Set: wake-ups travel over this Redis (TEST_REDIS_URL) instead of
   * LISTEN/NOTIFY, and rate limits count there.
   */
  redisUrl?: string | undefined;
  /** How many copies; default 2. */
  count?: number;
}

/**
 * Test-only: several app copies on one fresh PostgreSQL database, each with
 * its own Database (pool, and LISTEN connection or Redis connections) as
 * separate server processes would have. With Redis they share a channel
 * prefix unique to this call, so parallel runs on one Redis never hear each other.
 */
export async function createTestCopies(options: TestCopiesOptions) {
  const scratch = options.databaseUrl
    ? await createScratchDatabase(options.databaseUrl)
    : { url: undefined, drop: async () => {} };
  const shared = scratch.url ? undefined : await openTestDatabase();
  const channelPrefix = `infernet-test-${randomBytes(6).toString('hex')}:`;
  const copies: TestApp[] = [];
  async function openCopy(): Promise<Database> {
    if (shared) return shared;
    const db = await openDatabase({ databaseUrl: scratch.url, listen: !options.redisUrl });
    if (!options.redisUrl) return db;
    try {
      return await withRedisNotifications(db, {
        redisUrl: options.redisUrl,
        logger: silentLogger,
        channelPrefix,
      });
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  async function close(): Promise<void> {
    await Promise.allSettled(copies.map((copy) => copy.close()));
    await scratch.drop();
  }
  async function openCounters(): Promise<TestRateLimitStore | undefined> {
    if (!options.redisUrl) return undefined;
    const keyPrefix = `${channelPrefix}rate-limit:`;
    return openRedisRateLimitStore({ redisUrl: options.redisUrl, logger: silentLogger, keyPrefix });
  }
  try {
    for (let index = 0; index < (options.count ?? 2); index += 1) {
      const db = await openCopy();
      const counters = await openCounters().catch(async (error: unknown) => {
        if (!shared) await db.close();
        throw error;
      });
      copies.push(appOn(db, options, counters));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { copies, channelPrefix, close };
}

/**
 * The request init of a node-signed POST of `body` to `path`, signed at `nowMs`
 * (the real time unless told), with any extra `headers`.
 */
export function signedPostInit(
  key: KeyPair,
  path: string,
  body: unknown,
  options: { headers?: Record<string, string>; nowMs?: number } = {},
): RequestInit {
  const text = JSON.stringify(body);
  const { header } = signRequest({
    method: 'POST',
    path,
    body: text,
    privateKey: key.privateKey,
    createdAt: Math.floor((options.nowMs ?? Date.now()) / 1000),
  });
  return {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', 'x-infernet-auth': header, ...options.headers },
  };
}

/** Signs and sends a node API request, returning the response. */
export async function signedPost(
  app: TestApp['app'],
  key: KeyPair,
  path: string,
  body: unknown,
  init: { signal?: AbortSignal } = {},
): Promise<Response> {
  return app.request(path, {
    ...signedPostInit(key, path, body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

/** A job as `jobs/poll` hands it to a node (the fields tests look at). */
export interface PolledJob {
  id: string;
  fencing_token: number;
  attempt: number;
  lease_token?: string;
}

/** Submits an anonymous chat through `POST /api/chat`; throws unless it is accepted (201). */
export async function submitChat(app: TestApp['app'], model: string, content = 'hello') {
  const response = await app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  if (response.status !== 201) throw new Error(`submit failed: ${await response.text()}`);
  return (await response.json()) as { jobId: string; streamToken: string; streamUrl: string };
}

/** `POST /api/v1/node/jobs/poll` signed by `key`; throws unless it answers 200. */
export async function pollJobs(app: TestApp['app'], key: KeyPair, body: object) {
  const response = await signedPost(app, key, '/api/v1/node/jobs/poll', body);
  if (response.status !== 200) throw new Error(`poll failed: ${await response.text()}`);
  return ((await response.json()) as { data: { jobs: PolledJob[]; cancel: string[] } }).data;
}

export async function registerNode(
  app: TestApp['app'],
  key: KeyPair,
  options: { nodeId: string; models: string[] },
) {
  const response = await signedPost(app, key, '/api/v1/node/register', {
    role: 'provider',
    node_id: options.nodeId,
    name: options.nodeId,
    specs: { gpus: [], gpu_count: 0, served_models: options.models },
  });
  if (response.status !== 200) throw new Error(`register failed: ${await response.text()}`);
  return ((await response.json()) as { data: { id: string } }).data.id;
}

/** Sends a node's registration with one NVIDIA GPU, serving model `m` from `address`. */
export function registerGpuNode(
  app: TestApp['app'],
  key: KeyPair,
  nodeId: string,
  options: { address: string; gpu: { vram_tier: string; model: string }; listed?: boolean },
): Promise<Response> {
  return signedPost(app, key, '/api/v1/node/register', {
    node_id: nodeId,
    name: nodeId,
    address: options.address,
    specs: {
      gpus: [{ vendor: 'nvidia', ...options.gpu }],
      gpu_count: 1,
      served_models: ['m'],
    },
    ...(options.listed === undefined ? {} : { listed: options.listed }),
  });
}

/** Parses a complete SSE body into frames; comments are returned as `comment` frames. */
export function parseSse(text: string) {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const frame: { id?: string; event?: string; data?: string; comment?: string } = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = line.slice(1).trim();
        else if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) frame.data = (frame.data ?? '') + line.slice(6);
      }
      return frame;
    });
}
