import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from './config';
import { startServer } from './server';

const redisUrl = process.env.TEST_REDIS_URL;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the control plane on an embedded database in a temporary directory, recording its log. */
async function start(env: NodeJS.ProcessEnv) {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'infernet-server-'));
  cleanups.push(() => rm(dataDirectory, { recursive: true, force: true }));
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  const config = loadConfig({ ...env, INFERNET_DATA_DIR: dataDirectory }, [
    '--port',
    '0',
    '--host',
    '127.0.0.1',
  ]);
  const server = await startServer(config, logger);
  cleanups.push(() => server.close());
  const listening = records.find((record) => record.msg === 'control plane listening');
  return { server, listening };
}

function createJob(server: Awaited<ReturnType<typeof start>>['server'], model: string) {
  return server.db.jobs.createChat({
    model,
    title: 'job',
    input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0 },
    streamTokenHash: randomBytes(32).toString('hex'),
  });
}

describe('startServer', () => {
  it('says at start-up that wake-ups use the database without REDIS_URL', async () => {
    const { listening } = await start({});
    expect(listening).toMatchObject({ database: 'pglite', notifications: 'postgres' });
  });

  it.skipIf(!redisUrl)('carries its wake-ups over Redis when REDIS_URL is set', async () => {
    const { server, listening } = await start({ REDIS_URL: redisUrl });
    expect(listening).toMatchObject({ notifications: 'redis' });
    // The database listens to nothing, so this can only arrive through Redis.
    const model = `model-${randomBytes(4).toString('hex')}`;
    const heard = new Promise<string>((resolve) =>
      server.db.notifications.onJobAvailable((announced) => {
        if (announced === model) resolve(announced);
      }),
    );
    await createJob(server, model);
    expect(await heard).toBe(model);
  });
});
