import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@infernet/auth';
import { createTestApp, registerNode, signedPost, type TestApp } from '../testing';
import { createApiKey, errorOf, signIn, signUp, submitChat } from './account-testing';

let server: TestApp;
const node = generateKeyPair();
const PROMPT = `CANARY-PROMPT-${crypto.randomUUID()}`;
const OUTPUT = `CANARY-OUTPUT-${crypto.randomUUID()}`;
const PASSWORD = 'correct horse battery';
const DEPLOY_TOKEN_HASH = 'd'.repeat(64);

beforeEach(async () => {
  server = await createTestApp();
});
afterEach(async () => {
  await server.close();
});

function deleteAccount(headers: Record<string, string>, body: unknown = { confirm: 'DELETE' }) {
  return server.app.request('/api/account', {
    method: 'DELETE',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function serve(jobId: string) {
  const poll = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 0 });
  const claimed = ((await poll.json()) as { data: { jobs: { id: string }[] } }).data.jobs;
  expect(claimed.map((job) => job.id)).toEqual([jobId]);
  await signedPost(server.app, node, `/api/v1/node/jobs/${jobId}/events`, {
    events: [{ event_type: 'token', data: { text: OUTPUT } }],
  });
  const done = await signedPost(server.app, node, `/api/v1/node/jobs/${jobId}/complete`, {
    status: 'completed',
    result: { text: OUTPUT, usage: { prompt_tokens: 5, completion_tokens: 1 } },
  });
  expect(done.status).toBe(200);
}

describe('DELETE /api/account', () => {
  it('deletes the account, its sign-in, sessions, keys and job content, and unlinks its nodes', async () => {
    const providerId = await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const { cookie, accountId } = await signUp(server.app, 'leaving@example.com', PASSWORD);
    const { key } = await createApiKey(server.app, cookie);
    expect((await server.db.accounts.linkProvider(node.publicKey, accountId)).ok).toBe(true);
    await server.db.deployTokens.create({
      accountId,
      label: 'deploy',
      tokenHash: DEPLOY_TOKEN_HASH,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    expect(await server.db.deployTokens.use(DEPLOY_TOKEN_HASH, new Date())).not.toBeNull();
    const finished = await submitChat(server.app, PROMPT, { authorization: `Bearer ${key}` });
    await serve(finished);
    const waiting = await submitChat(server.app, PROMPT, { cookie });
    const stayer = await signUp(server.app, 'staying@example.com', PASSWORD);
    const othersJob = await submitChat(server.app, PROMPT, { cookie: stayer.cookie });

    const response = await deleteAccount({ cookie });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { deleted: true } });
    const cleared = response.headers.getSetCookie();
    expect(cleared.some((line) => /^infernet\.session_token=;.*Max-Age=0/i.test(line))).toBe(true);

    expect(await errorOf(await signIn(server.app, 'leaving@example.com', PASSWORD))).toEqual([
      401,
      'CREDENTIALS_INVALID',
    ]);
    expect(await errorOf(await server.app.request('/api/me', { headers: { cookie } }))).toEqual([
      401,
      'AUTH_MISSING',
    ]);
    const withKey = await server.app.request('/api/me/nodes', {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await errorOf(withKey)).toEqual([401, 'API_KEY_INVALID']);

    const session = await server.app.request('/api/auth/get-session', { headers: { cookie } });
    expect(await session.json()).toBeNull();
    expect(await server.db.dashboard.accountProfile(accountId)).toBeNull();
    expect(await server.db.accounts.listApiKeys(accountId)).toEqual([]);
    expect(await server.db.deployTokens.list(accountId)).toEqual([]);
    expect(await server.db.deployTokens.use(DEPLOY_TOKEN_HASH, new Date())).toBeNull();
    expect(await server.db.dashboard.accountNodes(accountId)).toEqual([]);

    // The node keeps running, linked to nobody.
    const provider = await server.db.providers.findById(providerId);
    expect(provider?.id).toBe(providerId);
    // Its jobs keep their metadata; the prompt and output are gone, and the waiting one ended.
    const served = await server.db.jobs.findById(finished);
    expect(served).toMatchObject({ status: 'completed', model: 'm', ownerAccountId: null });
    expect(served?.contentDeletedAt).toBeInstanceOf(Date);
    const ended = await server.db.jobs.findById(waiting);
    expect(ended).toMatchObject({ status: 'cancelled', ownerAccountId: null });
    const events = [
      ...(await server.db.events.listAfter(finished, 0, 100)),
      ...(await server.db.events.listAfter(waiting, 0, 100)),
    ];
    expect(JSON.stringify([served, ended, events])).not.toMatch(/CANARY/);
    // Another account's job is untouched.
    expect(JSON.stringify(await server.db.jobs.findById(othersJob))).toContain(PROMPT);
    expect(await signIn(server.app, 'staying@example.com', PASSWORD)).toHaveProperty('status', 200);
  });

  it('needs a session, the word DELETE, and a page of this site', async () => {
    const { cookie } = await signUp(server.app, 'careful@example.com', PASSWORD);
    const { key } = await createApiKey(server.app, cookie);
    expect(await errorOf(await deleteAccount({}))).toEqual([401, 'AUTH_MISSING']);
    expect(await errorOf(await deleteAccount({ authorization: `Bearer ${key}` }))).toEqual([
      401,
      'AUTH_MISSING',
    ]);
    for (const body of [{}, { confirm: 'delete' }, { confirm: 'DELETE', extra: true }]) {
      expect(await errorOf(await deleteAccount({ cookie }, body))).toEqual([400, 'BAD_REQUEST']);
    }
    const crossSite = await deleteAccount({ cookie, origin: 'https://evil.example' });
    expect(await errorOf(crossSite)).toEqual([403, 'FORBIDDEN']);
    expect(await signIn(server.app, 'careful@example.com', PASSWORD)).toHaveProperty('status', 200);
  });
});
