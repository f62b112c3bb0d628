import { afterEach, beforeEach } from 'vitest';
import type { KeyPair } from '@infernet/auth';
import { createTestApp, signedPostInit, type TestApp } from '../testing';

type App = TestApp['app'];

/** Test-only: the current test's app, on a clock that stands still until the test moves it. */
export interface ClockedTestApp {
  server: TestApp;
  /** The server's time, in milliseconds; starts at the real time. */
  clock: number;
}

/** Test-only: registers hooks that give each test a fresh `ClockedTestApp` and close it after. */
export function useClockedTestApp(): ClockedTestApp {
  const current = { clock: 0 } as ClockedTestApp;
  beforeEach(async () => {
    current.clock = Date.now();
    current.server = await createTestApp({ now: () => current.clock });
  });
  afterEach(async () => {
    await current.server.close();
  });
  return current;
}

/**
 * Test-only: a node-signed POST with extra headers (a session cookie or a
 * deploy token), signed at `nowMs` so that tests may move the server's clock.
 */
export async function signedPostWith(
  app: App,
  key: KeyPair,
  path: string,
  body: unknown,
  options: { headers?: Record<string, string>; nowMs?: number } = {},
): Promise<Response> {
  return app.request(path, signedPostInit(key, path, body, options));
}

/** Test-only: creates a deploy token with a session cookie and returns it. */
export async function createDeployToken(app: App, cookie: string, label?: string) {
  const response = await app.request('/api/deploy/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(label === undefined ? {} : { label }),
  });
  if (response.status !== 201) throw new Error(`token creation failed: ${await response.text()}`);
  return ((await response.json()) as { data: { id: string; token: string; expires_at: string } })
    .data;
}
