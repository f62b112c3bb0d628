import { signRequest, type KeyPair } from '@infernet/auth';
import { openTestDatabase, type Database } from '@infernet/db';
import { pino } from 'pino';
import { createApp } from './app';
import { TopicHub } from './realtime/topic-hub';

/** Test-only: an in-process app on a fresh database (PGlite, or Postgres with TEST_DATABASE_URL). */
export async function createTestApp(options: { keepAliveMs?: number } = {}) {
  const db: Database = await openTestDatabase({ databaseUrl: process.env.TEST_DATABASE_URL });
  const jobAvailability = new TopicHub();
  const jobEvents = new TopicHub();
  const unsubscribers = [
    db.notifications.onJobAvailable((model) => jobAvailability.publish(model)),
    db.notifications.onJobEvents((jobId) => jobEvents.publish(jobId)),
  ];
  const app = createApp({
    db,
    logger: pino({ level: 'silent' }),
    now: Date.now,
    replayStore: db.replay,
    jobAvailability,
    jobEvents,
    livenessSeconds: 90,
    leaseSeconds: 30,
    keepAliveMs: options.keepAliveMs ?? 15_000,
  });
  return {
    app,
    db,
    async close() {
      for (const unsubscribe of unsubscribers) unsubscribe();
      await db.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Signs and sends a node API request, returning the response. */
export async function signedPost(
  app: TestApp['app'],
  key: KeyPair,
  path: string,
  body: unknown,
  init: { signal?: AbortSignal } = {},
): Promise<Response> {
  const text = JSON.stringify(body);
  const { header } = signRequest({
    method: 'POST',
    path,
    body: text,
    privateKey: key.privateKey,
    createdAt: Math.floor(Date.now() / 1000),
  });
  return app.request(path, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', 'x-infernet-auth': header },
    ...(init.signal ? { signal: init.signal } : {}),
  });
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
