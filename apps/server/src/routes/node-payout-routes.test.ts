import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '@infernet/auth';
import { PAYOUT_COIN_IDS, type ListPaymentsResponse, type PayoutRow } from '@infernet/protocol';
import { createTestApp, registerNode, signedPost, type TestApp } from '../testing';

const ETH_ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const SOL_ADDRESS = '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV';

let server: TestApp;
beforeEach(async () => {
  // One unit per delivered token, so earnings are easy to read.
  server = await createTestApp({ pricePerMillionTokens: '1000000' });
});
afterEach(async () => {
  await server.close();
});

/** Every field any of these routes answers, so one helper reads them all (test-only shape). */
interface Answer {
  status: number;
  data: { payout: PayoutRow; payouts: PayoutRow[] } & ListPaymentsResponse;
  error: { code: string; message: string };
}

async function call(key: KeyPair, path: string, body: object = {}): Promise<Answer> {
  const response = await signedPost(server.app, key, `/api/v1/node/${path}`, body);
  const json = (await response.json()) as Omit<Answer, 'status'>;
  return { status: response.status, data: json.data, error: json.error };
}

describe('payout routes', () => {
  it('sets and lists payout addresses, one per coin, normalising the coin id', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'payee', models: ['m'] });
    const set = await call(key, 'payouts/set', { coin: 'eth', address: ` ${ETH_ADDRESS} ` });
    expect(set.status).toBe(200);
    expect(set.data.payout).toMatchObject({
      coin: 'ETH',
      network: 'Ethereum',
      address: ETH_ADDRESS,
    });
    expect(
      (await call(key, 'payouts/set', { coin: 'usdc-solana', address: SOL_ADDRESS })).status,
    ).toBe(200);
    const list = await call(key, 'payouts/list');
    expect(list.status).toBe(200);
    expect(
      list.data.payouts.map((row: { coin: string; network: string; address: string }) => [
        row.coin,
        row.network,
        row.address,
      ]),
    ).toEqual([
      ['ETH', 'Ethereum', ETH_ADDRESS],
      ['USDC_SOLANA', 'Solana', SOL_ADDRESS],
    ]);
  });

  it('refuses an unknown coin naming the accepted ones, and a malformed address naming the format', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'payee', models: ['m'] });
    const unknown = await call(key, 'payouts/set', { coin: 'LTC', address: ETH_ADDRESS });
    expect(unknown.status).toBe(400);
    expect(unknown.error.code).toBe('BAD_REQUEST');
    for (const id of PAYOUT_COIN_IDS) expect(unknown.error.message).toContain(id);

    const wrongChain = await call(key, 'payouts/set', { coin: 'BTC', address: ETH_ADDRESS });
    expect(wrongChain.status).toBe(400);
    expect(wrongChain.error.message).toContain('bech32');
    const short = await call(key, 'payouts/set', { coin: 'ETH', address: '0x1234' });
    expect(short.status).toBe(400);
    expect(short.error.message).toContain('0x followed by 40 hexadecimal characters');
    expect((await call(key, 'payouts/list')).data.payouts).toEqual([]);
  });

  it("never shows one node's payouts or payments to another", async () => {
    const owner = generateKeyPair();
    const other = generateKeyPair();
    await registerNode(server.app, owner, { nodeId: 'owner', models: ['m'] });
    await registerNode(server.app, other, { nodeId: 'other', models: ['m'] });
    await call(owner, 'payouts/set', { coin: 'ETH', address: ETH_ADDRESS });
    await completeJob(owner, 3);
    expect((await call(other, 'payouts/list')).data.payouts).toEqual([]);
    expect((await call(other, 'payments/list')).data).toEqual({ balance: '0', payments: [] });
  });

  it('answers an unregistered key with NODE_NOT_REGISTERED', async () => {
    const stranger = generateKeyPair();
    for (const path of ['payouts/list', 'payments/list']) {
      const response = await call(stranger, path);
      expect(response.status).toBe(404);
      expect(response.error.code).toBe('NODE_NOT_REGISTERED');
    }
    const set = await call(stranger, 'payouts/set', { coin: 'ETH', address: ETH_ADDRESS });
    expect(set.error.code).toBe('NODE_NOT_REGISTERED');
  });

  it('requires a signature', async () => {
    const response = await server.app.request('/api/v1/node/payouts/list', {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(401);
  });
});

async function completeJob(key: KeyPair, tokens: number): Promise<string> {
  const submitted = await server.app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }),
  });
  expect(submitted.status).toBe(201);
  const { jobId } = (await submitted.json()) as { jobId: string };
  const poll = await signedPost(server.app, key, '/api/v1/node/jobs/poll', { wait: 0 });
  const claimed = ((await poll.json()) as { data: { jobs: { id: string }[] } }).data.jobs;
  expect(claimed.map((job) => job.id)).toEqual([jobId]);
  const events = Array.from({ length: tokens }, (_, index) => ({
    event_type: 'token',
    data: { text: `${index}` },
  }));
  const appended = await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/events`, {
    events,
  });
  expect(appended.status).toBe(200);
  const completed = await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/complete`, {
    status: 'completed',
    result: { text: 'done' },
  });
  expect(completed.status).toBe(200);
  return jobId;
}

describe('payments route', () => {
  it("shows the earning of a completed job and the node's balance", async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'earner', models: ['m'] });
    expect((await call(key, 'payments/list')).data).toEqual({ balance: '0', payments: [] });
    const first = await completeJob(key, 3);
    const second = await completeJob(key, 2);
    const payments = await call(key, 'payments/list');
    expect(payments.status).toBe(200);
    expect(payments.data.balance).toBe('5');
    expect(
      payments.data.payments.map((entry: { job_id: string; amount: string }) => [
        entry.job_id,
        entry.amount,
      ]),
    ).toEqual([
      [second, '2'],
      [first, '3'],
    ]);
    expect(payments.data.payments[0]).toMatchObject({ kind: 'job_earning' });
    expect(Number.isNaN(Date.parse(payments.data.payments[0]?.created_at ?? ''))).toBe(false);

    const limited = await call(key, 'payments/list', { limit: 1 });
    expect(limited.data.payments).toHaveLength(1);
    expect((await call(key, 'payments/list', { limit: 0 })).status).toBe(400);
  });
});
