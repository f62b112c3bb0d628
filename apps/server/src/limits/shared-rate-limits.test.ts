import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@infernet/auth';
import { createTestCopies, registerNode, signedPost, type TestApp } from '../testing';

/*
 * A limit must hold for a client however a load balancer spreads its
 * requests over the server copies. Each test runs two in-process copies,
 * each with its own limiters and memory, counting in one shared store: the
 * embedded database (both copies on one PGlite), PostgreSQL
 * (TEST_DATABASE_URL) or Redis (TEST_REDIS_URL). A copy that refuses a
 * request it has seen fewer than the limit of proves the count is shared.
 */

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const MODEL = 'shared-limits-model';

const stores = [
  { name: 'the embedded database', databaseUrl: undefined, redisUrl: undefined, skip: false },
  { name: 'PostgreSQL', databaseUrl, redisUrl: undefined, skip: !databaseUrl },
  { name: 'Redis', databaseUrl, redisUrl, skip: !redisUrl },
];

function fromAddress(address: string) {
  return { incoming: { socket: { remoteAddress: address, remotePort: 40_000 } } };
}

function submitChat(copy: TestApp, address: string) {
  return copy.app.request(
    '/api/chat',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    },
    fromAddress(address),
  );
}

for (const store of stores) {
  describe.skipIf(store.skip)(
    `rate limits across two server copies, counted in ${store.name}`,
    () => {
      let close: (() => Promise<void>) | undefined;
      afterEach(async () => {
        await close?.();
        close = undefined;
      });

      async function twoCopies(limits: {
        chatSubmitsPerMinute?: number;
        nodeRequestsPerMinute?: number;
      }) {
        const opened = await createTestCopies({
          databaseUrl: store.databaseUrl,
          redisUrl: store.redisUrl,
          limits,
        });
        close = opened.close;
        return opened.copies as [TestApp, TestApp];
      }

      it('holds a consumer’s chat limit wherever its requests land', async () => {
        const [first, second] = await twoCopies({ chatSubmitsPerMinute: 4 });
        await registerNode(first.app, generateKeyPair(), { nodeId: 'node-a', models: [MODEL] });
        for (const copy of [first, second, first, second]) {
          expect((await submitChat(copy, '203.0.113.7')).status).toBe(201);
        }
        for (const copy of [first, second]) {
          const refused = await submitChat(copy, '203.0.113.7');
          expect(refused.status).toBe(429);
          expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        }
        expect((await submitChat(second, '198.51.100.9')).status).toBe(201);
      });

      it('holds a node key’s limit wherever its requests land', async () => {
        const [first, second] = await twoCopies({ nodeRequestsPerMinute: 3 });
        const key = generateKeyPair();
        await registerNode(first.app, key, { nodeId: 'node-a', models: [MODEL] });
        const heartbeat = (copy: TestApp) =>
          signedPost(copy.app, key, '/api/v1/node/heartbeat', {});
        expect((await heartbeat(second)).status).toBe(200);
        expect((await heartbeat(first)).status).toBe(200);
        // The second copy has seen one request of this key, the limit is three.
        expect((await heartbeat(second)).status).toBe(429);
      });
    },
  );
}
