import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryReplayStore, publicKeyFromPrivateKey, verifyRequest } from '@infernet/auth';
import { AUTH_HEADER_NAME } from '@infernet/protocol';

/** Test support only: the node key the fake control plane accepts. */
export const PRIVATE_KEY = '7a638e08fbe541ec8f39ef9b71ad97c470b8f3df5dad53da704500d4e724885a';
export const PUBLIC_KEY = publicKeyFromPrivateKey(PRIVATE_KEY);

export type FakeControlPlane = Awaited<ReturnType<typeof startFakeControlPlane>>;

interface Received {
  path: string;
  body: Record<string, unknown>;
}

/**
 * The smallest control plane the daemon can run against: it checks every
 * signature (nonces single-use), hands out one chat job, and holds later
 * polls open like the real long poll.
 */
export async function startFakeControlPlane() {
  const received: Received[] = [];
  const replayStore = new MemoryReplayStore();
  let jobHandedOut = false;
  let registered: Record<string, unknown> | undefined;
  const handler = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = request.url ?? '';
    const verdict = await verifyRequest({
      header: request.headers[AUTH_HEADER_NAME] as string | undefined,
      request: { method: request.method ?? '', path, body: raw },
      now: Date.now() / 1000,
      replayStore,
    });
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (!verdict.ok || verdict.publicKey !== PUBLIC_KEY) {
      reply(401, { error: { code: 'AUTH_BAD_SIGNATURE', message: 'bad', requestId: 'r' } });
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    received.push({ path, body });
    if (path === '/api/v1/node/register') {
      registered = body;
      return reply(200, { data: { id: 'p1', node_id: body.node_id } });
    }
    if (path === '/api/v1/node/me') {
      return reply(200, { data: { row: registered ? nodeRow(registered) : null } });
    }
    if (path === '/api/v1/node/heartbeat') return reply(200, { data: { id: 'p1' } });
    if (path.endsWith('/events')) {
      return reply(200, { data: { inserted: (body.events as unknown[]).length } });
    }
    if (path.endsWith('/complete'))
      return reply(200, { data: { id: 'job-1', status: body.status } });
    if (path === '/api/v1/node/jobs/poll') {
      if (!jobHandedOut) {
        jobHandedOut = true;
        return reply(200, { data: { provider_id: 'p1', jobs: [chatJob()] } });
      }
      const timer = setTimeout(() => reply(200, { data: { provider_id: 'p1', jobs: [] } }), 25_000);
      response.on('close', () => clearTimeout(timer));
      return;
    }
    reply(404, { error: { code: 'NOT_FOUND', message: path, requestId: 'r' } });
  };
  const server: Server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, received, close };
}

function nodeRow(registered: Record<string, unknown>) {
  return {
    id: 'p1',
    node_id: registered.node_id,
    public_key: PUBLIC_KEY,
    role: 'provider',
    name: registered.name ?? null,
    status: 'available',
    address: null,
    port: null,
    gpu_model: null,
    price: null,
    specs: registered.specs,
    last_seen: new Date().toISOString(),
    created_at: new Date().toISOString(),
  };
}

function chatJob() {
  return {
    id: 'job-1',
    title: 'chat · demo',
    type: 'chat',
    status: 'assigned',
    payment_offer: 0,
    payment_coin: null,
    model_name: 'demo',
    input_spec: {
      messages: [{ role: 'user', content: 'a private question' }],
      max_tokens: 64,
      temperature: 0.5,
    },
    created_at: new Date().toISOString(),
  };
}
