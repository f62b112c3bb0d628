import { afterEach, describe, expect, it } from 'vitest';
import { createApiKey, signUp } from '../accounts/account-testing';
import { createTestApp, type TestApp } from '../testing';

const ADDRESS = '203.0.113.7';

let server: TestApp | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A chat submit from ADDRESS, with a Bearer value when given. */
function submit(app: TestApp['app'], bearer?: string) {
  return app.request(
    '/v1/chat/completions',
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    },
    { incoming: { socket: { remoteAddress: ADDRESS, remotePort: 40_000 } } },
  );
}

describe('per-API-key consumer limits', () => {
  it('gives two keys behind one address their own budgets, apart from the address', async () => {
    server = await createTestApp({ limits: { chatSubmitsPerMinute: 1 } });
    const { app } = server;
    const { cookie } = await signUp(app, 'limits@example.com');
    const first = await createApiKey(app, cookie, 'first');
    const second = await createApiKey(app, cookie, 'second');

    // No node serves "m": each submit is answered 404, and counted.
    expect((await submit(app, first.key)).status).toBe(404);
    const refused = await submit(app, first.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    const body = (await refused.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/for this API key/);

    expect((await submit(app, second.key)).status).toBe(404);
    expect((await submit(app)).status).toBe(404);
    expect((await submit(app)).status).toBe(429);
  });

  it('counts an unknown key by its address and still refuses it with 401', async () => {
    server = await createTestApp({ limits: { chatSubmitsPerMinute: 1 } });
    const unknown = await submit(server.app, 'inf_not-a-real-key');
    expect(unknown.status).toBe(401);
    expect((await submit(server.app)).status).toBe(429);
  });
});
