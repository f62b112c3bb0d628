import { describe, expect, it } from 'vitest';
import { generateKeyPair, verifyRequest } from '@infernet/auth';
import { AUTH_HEADER_NAME } from '@infernet/protocol';
import { BadRequestError } from './errors';
import type { FetchFunction } from './http-transport';
import { NodeClient } from './node-client';

interface SentRequest {
  path: string;
  headers: Headers;
  body: string;
}

const NOW = Date.parse('2026-03-01T12:00:00Z');
const { privateKey, publicKey } = generateKeyPair();

/** A fetch that records each request and answers with `answer`. */
function recordingFetch(status: number, answer: unknown) {
  const sent: SentRequest[] = [];
  const fetch: FetchFunction = async (input, init = {}) => {
    sent.push({
      path: new URL(String(input)).pathname,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : '',
    });
    return new Response(JSON.stringify(answer), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, sent };
}

function client(fetch: FetchFunction) {
  return new NodeClient({
    baseUrl: 'http://control.test',
    privateKey,
    fetch,
    now: () => NOW,
    sleep: async () => {},
  });
}

const PAYOUT = {
  coin: 'ETH',
  network: 'Ethereum',
  address: '0x52908400098527886E0F7030069857D2E4169EE7',
  created_at: '2026-03-01T12:00:00.000Z',
  updated_at: '2026-03-01T12:00:00.000Z',
};

async function expectSigned(request: SentRequest | undefined) {
  const result = await verifyRequest({
    header: request?.headers.get(AUTH_HEADER_NAME) ?? '',
    request: { method: 'POST', path: request?.path ?? '', body: request?.body ?? '' },
    now: Math.floor(NOW / 1000),
    windowSeconds: 60,
  });
  expect(result).toMatchObject({ ok: true, publicKey });
}

describe('NodeClient payouts and payments', () => {
  it('signs setPayout and returns the stored row', async () => {
    const { fetch, sent } = recordingFetch(200, { data: { payout: PAYOUT } });
    const result = await client(fetch).setPayout({ coin: 'ETH', address: PAYOUT.address });
    expect(result).toEqual({ payout: PAYOUT });
    expect(sent[0]?.path).toBe('/api/v1/node/payouts/set');
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ coin: 'ETH', address: PAYOUT.address });
    await expectSigned(sent[0]);
  });

  it('lists payouts and payments on their signed routes', async () => {
    const payouts = recordingFetch(200, { data: { payouts: [PAYOUT] } });
    expect(await client(payouts.fetch).listPayouts()).toEqual({ payouts: [PAYOUT] });
    expect(payouts.sent[0]?.path).toBe('/api/v1/node/payouts/list');
    await expectSigned(payouts.sent[0]);

    const answer = {
      balance: '3',
      payments: [
        { job_id: 'job-1', kind: 'job_earning', amount: '3', created_at: PAYOUT.created_at },
      ],
    };
    const payments = recordingFetch(200, { data: answer });
    expect(await client(payments.fetch).listPayments({ limit: 5 })).toEqual(answer);
    expect(payments.sent[0]?.path).toBe('/api/v1/node/payments/list');
    expect(JSON.parse(payments.sent[0]?.body ?? '')).toEqual({ limit: 5 });
  });

  it('surfaces a refused address as a BadRequestError with the server message', async () => {
    const message = 'Invalid request: coin: unknown coin "LTC"; accepted coins: BTC, …';
    const { fetch } = recordingFetch(400, {
      error: { code: 'BAD_REQUEST', message, requestId: 'req-1' },
    });
    const failure = await client(fetch)
      .setPayout({ coin: 'LTC', address: 'x' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).message).toContain('accepted coins');
  });
});
