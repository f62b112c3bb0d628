import { describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '@infernet/auth';
import { registerNode } from '../testing';
import { errorOf, signUp } from './account-testing';
import { signedPostWith, useClockedTestApp } from './deploy-testing';

const USER_CODE = /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;

const testApp = useClockedTestApp();
const node = generateKeyPair();

interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

function signed(key: KeyPair, path: string, body: unknown, headers?: Record<string, string>) {
  return signedPostWith(testApp.server.app, key, path, body, { nowMs: testApp.clock, headers });
}

async function askForCode(key = node): Promise<DeviceCode> {
  const response = await signed(key, '/api/nodes/device-code', {});
  if (response.status !== 200) throw new Error(await response.text());
  return ((await response.json()) as { data: DeviceCode }).data;
}

function redeem(deviceCode: string, key = node) {
  return signed(key, '/api/nodes/device-token', { device_code: deviceCode });
}

function viewRequest(userCode: string, cookie?: string) {
  return testApp.server.app.request(`/api/device/${encodeURIComponent(userCode)}`, {
    headers: cookie ? { cookie } : {},
  });
}

function answer(cookie: string, userCode: string, approve: boolean) {
  return testApp.server.app.request('/api/device/approve', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ user_code: userCode, approve }),
  });
}

/** A session of a new account cannot link the node: someone owns it already. */
async function expectLinkedElsewhere(key = node) {
  const probe = await signUp(testApp.server.app, `probe-${crypto.randomUUID()}@example.com`);
  const response = await signed(key, '/api/nodes/link', {}, { cookie: probe.cookie });
  expect(await errorOf(response)).toEqual([403, 'FORBIDDEN']);
}

describe('device sign-in', () => {
  it('signs a node in: code, pending, approved by a signed-in operator, then linked', async () => {
    const providerId = await registerNode(testApp.server.app, node, {
      nodeId: 'gpu-1',
      models: ['m'],
    });
    const operator = await signUp(testApp.server.app, 'operator@example.com');
    const code = await askForCode();
    expect(code).toEqual({
      device_code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      user_code: expect.stringMatching(USER_CODE),
      verification_uri: 'http://localhost/device',
      verification_uri_complete: `http://localhost/device?code=${code.user_code}`,
      expires_in: 600,
      interval: 5,
    });
    expect(await errorOf(await redeem(code.device_code))).toEqual([400, 'DEVICE_CODE_PENDING']);

    // Typed in any case, with or without the dash.
    const typed = code.user_code.replace('-', '').toLowerCase();
    expect(await errorOf(await viewRequest(typed))).toEqual([401, 'AUTH_MISSING']);
    const view = await viewRequest(typed, operator.cookie);
    expect(await view.json()).toEqual({
      data: {
        user_code: code.user_code,
        node_id: 'gpu-1',
        node_name: 'gpu-1',
        public_key: node.publicKey,
        requested_at: new Date(testApp.clock).toISOString(),
        expires_at: new Date(testApp.clock + 600_000).toISOString(),
        status: 'pending',
      },
    });

    const approved = await answer(operator.cookie, typed, true);
    expect(await approved.json()).toEqual({ data: { status: 'approved', node_id: 'gpu-1' } });
    // A second click gets the same answer; changing the answer is refused.
    expect((await answer(operator.cookie, code.user_code, true)).status).toBe(200);
    expect(await errorOf(await answer(operator.cookie, code.user_code, false))).toEqual([
      409,
      'DEVICE_CODE_DECIDED',
    ]);

    const redeemed = await redeem(code.device_code);
    expect(await redeemed.json()).toEqual({
      data: { id: providerId, account_id: operator.accountId },
    });
    expect(await (await viewRequest(code.user_code, operator.cookie)).json()).toMatchObject({
      data: { status: 'approved' },
    });
    // The node is the operator's now: another account cannot link it.
    await expectLinkedElsewhere();
  });

  it('tells the node when the operator denies it, and links nothing', async () => {
    await registerNode(testApp.server.app, node, { nodeId: 'gpu-1', models: ['m'] });
    const operator = await signUp(testApp.server.app, 'careful@example.com');
    const code = await askForCode();
    const denied = await answer(operator.cookie, code.user_code, false);
    expect(await denied.json()).toEqual({ data: { status: 'denied', node_id: 'gpu-1' } });
    expect(await errorOf(await redeem(code.device_code))).toEqual([403, 'DEVICE_CODE_DENIED']);
    expect(await errorOf(await answer(operator.cookie, code.user_code, true))).toEqual([
      409,
      'DEVICE_CODE_DECIDED',
    ]);
    const owner = await signUp(testApp.server.app, 'owner@example.com');
    const link = await signed(node, '/api/nodes/link', {}, { cookie: owner.cookie });
    expect(await link.json()).toEqual({
      data: { id: expect.any(String), account_id: owner.accountId },
    });
  });

  it('expires a code nobody answered in 600 seconds', async () => {
    await registerNode(testApp.server.app, node, { nodeId: 'gpu-1', models: ['m'] });
    const operator = await signUp(testApp.server.app, 'late@example.com');
    const code = await askForCode();
    testApp.clock += 599_000;
    expect(await errorOf(await redeem(code.device_code))).toEqual([400, 'DEVICE_CODE_PENDING']);
    testApp.clock += 1000;
    expect(await errorOf(await redeem(code.device_code))).toEqual([410, 'DEVICE_CODE_EXPIRED']);
    expect(await (await viewRequest(code.user_code, operator.cookie)).json()).toMatchObject({
      data: { status: 'expired' },
    });
    expect(await errorOf(await answer(operator.cookie, code.user_code, true))).toEqual([
      410,
      'DEVICE_CODE_EXPIRED',
    ]);
    expect(await errorOf(await redeem(code.device_code))).toEqual([410, 'DEVICE_CODE_EXPIRED']);
  });

  it('lets only the node that asked redeem its code, and only registered nodes ask', async () => {
    await registerNode(testApp.server.app, node, { nodeId: 'gpu-1', models: ['m'] });
    const other = generateKeyPair();
    await registerNode(testApp.server.app, other, { nodeId: 'gpu-2', models: ['m'] });
    const operator = await signUp(testApp.server.app, 'two@example.com');
    const code = await askForCode();
    await answer(operator.cookie, code.user_code, true);

    expect(await errorOf(await redeem(code.device_code, other))).toEqual([404, 'NOT_FOUND']);
    expect(await errorOf(await redeem('not-a-code'))).toEqual([404, 'NOT_FOUND']);
    expect((await redeem(code.device_code)).status).toBe(200);

    const stranger = generateKeyPair();
    expect(await errorOf(await signed(stranger, '/api/nodes/device-code', {}))).toEqual([
      404,
      'NODE_NOT_REGISTERED',
    ]);
    const unsigned = await testApp.server.app.request('/api/nodes/device-code', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await errorOf(unsigned)).toEqual([401, 'AUTH_MISSING']);
    expect(await errorOf(await redeem(''))).toEqual([400, 'BAD_REQUEST']);
    expect(await errorOf(await signed(node, '/api/nodes/device-code', { extra: 1 }))).toEqual([
      400,
      'BAD_REQUEST',
    ]);
  });

  it('refuses malformed and unknown user codes, and a node linked to another account', async () => {
    await registerNode(testApp.server.app, node, { nodeId: 'gpu-1', models: ['m'] });
    const owner = await signUp(testApp.server.app, 'first@example.com');
    const rival = await signUp(testApp.server.app, 'second@example.com');
    await signed(node, '/api/nodes/link', {}, { cookie: owner.cookie });

    expect(await errorOf(await viewRequest('ABCD-EFG0', rival.cookie))).toEqual([
      400,
      'BAD_REQUEST',
    ]);
    expect(await errorOf(await viewRequest('ABCD-EFGH', rival.cookie))).toEqual([404, 'NOT_FOUND']);
    expect(await errorOf(await answer(rival.cookie, 'ABCD-EFGH', true))).toEqual([
      404,
      'NOT_FOUND',
    ]);

    const code = await askForCode();
    expect(await errorOf(await answer(rival.cookie, code.user_code, true))).toEqual([
      403,
      'FORBIDDEN',
    ]);
    expect(await errorOf(await redeem(code.device_code))).toEqual([400, 'DEVICE_CODE_PENDING']);
    const approved = await answer(owner.cookie, code.user_code, true);
    expect(await approved.json()).toEqual({ data: { status: 'approved', node_id: 'gpu-1' } });
    expect(await (await redeem(code.device_code)).json()).toMatchObject({
      data: { account_id: owner.accountId },
    });
  });
});
