import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, verifyRequest } from '@infernet/auth';
import { AUTH_HEADER_NAME } from '@infernet/protocol';
import { ApiError, AuthenticationError, InvalidResponseError } from './errors';
import { NodeClient } from './node-client';

interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  body: unknown;
}

const { privateKey, publicKey } = generateKeyPair();
const DEPLOY_TOKEN = `infd_${'A'.repeat(43)}`;
const LINK = { id: 'provider-1', account_id: 'account-1' };
const DEVICE_CODE = {
  device_code: 'device-secret',
  user_code: 'ABCD-EFGH',
  verification_uri: 'http://control.test/device',
  verification_uri_complete: 'http://control.test/device?code=ABCD-EFGH',
  expires_in: 600,
  interval: 5,
};

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A real HTTP server that records each request and answers from `answers`, in order. */
async function stubControlPlane(...answers: Answer[]) {
  const received: ReceivedRequest[] = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers[Math.min(received.length, answers.length) - 1]!;
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const node = new NodeClient({
    baseUrl: `http://127.0.0.1:${port}`,
    privateKey,
    sleep: async () => {},
  });
  return { node, received };
}

const error = (status: number, code: string, message = 'refused'): Answer => ({
  status,
  body: { error: { code, message, requestId: 'req-1' } },
});

async function expectSignedByTheNode(request: ReceivedRequest | undefined) {
  const verdict = await verifyRequest({
    header: String(request?.headers[AUTH_HEADER_NAME.toLowerCase()] ?? ''),
    request: { method: 'POST', path: request?.path ?? '', body: request?.body ?? '' },
    now: Math.floor(Date.now() / 1000),
  });
  expect(verdict).toMatchObject({ ok: true, publicKey });
}

describe('NodeClient.linkWithDeployToken', () => {
  it('sends the node signature and the token as a bearer, and returns the link', async () => {
    const { node, received } = await stubControlPlane({ status: 200, body: { data: LINK } });
    await expect(node.linkWithDeployToken(DEPLOY_TOKEN)).resolves.toEqual(LINK);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', path: '/api/nodes/link', body: '{}' });
    expect(request?.headers.authorization).toBe(`Bearer ${DEPLOY_TOKEN}`);
    await expectSignedByTheNode(request);
  });

  it('rejects a refused token with DEPLOY_TOKEN_INVALID, without retrying or echoing it', async () => {
    const { node, received } = await stubControlPlane(
      error(401, 'DEPLOY_TOKEN_INVALID', 'The deploy token is unknown, expired or revoked.'),
    );
    const failure = await node.linkWithDeployToken(DEPLOY_TOKEN).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(AuthenticationError);
    expect(failure).toMatchObject({ status: 401, code: 'DEPLOY_TOKEN_INVALID' });
    expect(String((failure as Error).message)).not.toContain(DEPLOY_TOKEN);
    expect(received).toHaveLength(1);
  });

  it('refuses an answer without the link fields', async () => {
    const { node } = await stubControlPlane({ status: 200, body: { data: { id: 'p' } } });
    await expect(node.linkWithDeployToken(DEPLOY_TOKEN)).rejects.toBeInstanceOf(
      InvalidResponseError,
    );
  });
});

describe('NodeClient device sign-in', () => {
  it('asks for a device code with a signed empty body', async () => {
    const { node, received } = await stubControlPlane({
      status: 200,
      body: { data: DEVICE_CODE },
    });
    await expect(node.requestDeviceCode()).resolves.toEqual(DEVICE_CODE);
    expect(received[0]).toMatchObject({ path: '/api/nodes/device-code', body: '{}' });
    expect(received[0]?.headers.authorization).toBeUndefined();
    await expectSignedByTheNode(received[0]);
  });

  it('redeems the code: pending, then linked', async () => {
    const { node, received } = await stubControlPlane(error(400, 'DEVICE_CODE_PENDING'), {
      status: 200,
      body: { data: LINK },
    });
    const pending = await node.redeemDeviceCode('device-secret').catch((caught: unknown) => caught);
    expect(pending).toBeInstanceOf(ApiError);
    expect(pending).toMatchObject({ status: 400, code: 'DEVICE_CODE_PENDING' });
    await expect(node.redeemDeviceCode('device-secret')).resolves.toEqual(LINK);
    expect(received).toHaveLength(2);
    for (const request of received) {
      expect(request.path).toBe('/api/nodes/device-token');
      expect(JSON.parse(request.body)).toEqual({ device_code: 'device-secret' });
      await expectSignedByTheNode(request);
    }
  });

  it.each([
    [403, 'DEVICE_CODE_DENIED'],
    [410, 'DEVICE_CODE_EXPIRED'],
  ])('reports %i %s as an ApiError with that code', async (status, code) => {
    const { node, received } = await stubControlPlane(error(status, code));
    await expect(node.redeemDeviceCode('device-secret')).rejects.toMatchObject({ status, code });
    expect(received).toHaveLength(1);
  });
});
