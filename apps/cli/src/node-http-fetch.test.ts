import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHttpFetch } from './node-http-fetch';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  remotePort: number;
}

const servers: ReturnType<typeof createServer>[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A real HTTP server that records each request and answers with `respond`. */
async function listen(respond: (response: ServerResponse, received: Received) => void) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        remotePort: request.socket.remotePort ?? 0,
      };
      received.push(entry);
      respond(response, entry);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, received };
}

describe('createNodeHttpFetch', () => {
  it('sends the method, path, headers and body, and answers a standard Response', async () => {
    const server = await listen((response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
      response.end('{"data":{"ok":true}}');
    });
    const fetch = createNodeHttpFetch();
    const response = await fetch(`${server.base}/api/v1/node/jobs/poll?limit=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Infernet-Lease': 'token' },
      body: '{"wait":25}',
    });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('r-1');
    expect(await response.json()).toEqual({ data: { ok: true } });
    expect(server.received).toMatchObject([
      {
        method: 'POST',
        url: '/api/v1/node/jobs/poll?limit=2',
        body: '{"wait":25}',
        headers: {
          'content-type': 'application/json',
          'x-infernet-lease': 'token',
          'content-length': '11',
        },
      },
    ]);
  });

  it('keeps the connection alive between requests', async () => {
    const server = await listen((response) => response.end('ok'));
    const fetch = createNodeHttpFetch();
    for (let index = 0; index < 3; index += 1) {
      expect(await (await fetch(`${server.base}/`)).text()).toBe('ok');
    }
    const ports = new Set(server.received.map((entry) => entry.remotePort));
    expect(ports.size).toBe(1);
  });

  it('closes a kept-alive connection once it sat idle, and opens a new one', async () => {
    const closed: Promise<unknown>[] = [];
    const server = await listen((response) => response.end('ok'));
    const httpServer = servers.at(-1)!;
    // The server would keep the connection for a minute: only the client can end it here.
    httpServer.keepAliveTimeout = 60_000;
    httpServer.on('connection', (socket: Socket) => closed.push(once(socket, 'close')));
    const fetch = createNodeHttpFetch({ idleSocketTimeoutMs: 50 });
    expect(await (await fetch(`${server.base}/`)).text()).toBe('ok');
    // The client, not the server, ends the idle connection.
    await closed[0];
    expect(await (await fetch(`${server.base}/`)).text()).toBe('ok');
    const ports = new Set(server.received.map((entry) => entry.remotePort));
    expect(ports.size).toBe(2);
  });

  it('streams the body as it arrives', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const server = await listen((response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write('{"token":"Hel"}\n');
      void finished.then(() => response.end('{"token":"lo"}\n'));
    });
    const response = await createNodeHttpFetch()(`${server.base}/api/chat`, { method: 'POST' });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"token":"Hel"}\n');
    finish();
    const rest = await reader.read();
    expect(new TextDecoder().decode(rest.value)).toBe('{"token":"lo"}\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('rejects with the abort reason, before the answer and while its body streams', async () => {
    const server = await listen((response, received) => {
      if (received.url === '/slow') return; // never answers
      response.writeHead(200);
      response.write('partial');
    });
    const fetch = createNodeHttpFetch();
    const early = new AbortController();
    const pending = fetch(`${server.base}/slow`, { signal: early.signal });
    await expect.poll(() => server.received.length).toBe(1);
    const reason = new Error('stopped by the caller');
    early.abort(reason);
    await expect(pending).rejects.toBe(reason);

    const late = new AbortController();
    const response = await fetch(`${server.base}/streaming`, { signal: late.signal });
    const reader = response.body!.getReader();
    await reader.read();
    late.abort(new Error('stopped mid-body'));
    await expect(reader.read()).rejects.toThrow('stopped mid-body');

    const already = new AbortController();
    already.abort(new Error('too late'));
    await expect(fetch(`${server.base}/`, { signal: already.signal })).rejects.toThrow('too late');
  });

  it('gives a bodiless status a null body and never follows a redirect', async () => {
    const server = await listen((response, received) => {
      if (received.url === '/moved') {
        response.writeHead(302, { location: '/elsewhere' });
        response.end();
        return;
      }
      response.writeHead(204);
      response.end();
    });
    const fetch = createNodeHttpFetch();
    const empty = await fetch(`${server.base}/empty`, { method: 'DELETE', body: '{"name":"m"}' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const moved = await fetch(`${server.base}/moved`, { method: 'POST', body: 'signed' });
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('/elsewhere');
    expect(server.received.map((entry) => entry.url)).toEqual(['/empty', '/moved']);
    // A DELETE's body arrives too (Ollama's /api/delete carries the model in it).
    expect(server.received[0]?.body).toBe('{"name":"m"}');
  });

  it('takes the URL, method and headers of a Request', async () => {
    const server = await listen((response) => response.end('ok'));
    const request = new Request(`${server.base}/api/tags`, {
      method: 'GET',
      headers: { authorization: 'Bearer engine-key' },
    });
    const response = await createNodeHttpFetch()(request, { headers: { accept: 'text/plain' } });
    expect(await response.text()).toBe('ok');
    expect(server.received[0]).toMatchObject({
      method: 'GET',
      url: '/api/tags',
      headers: { authorization: 'Bearer engine-key', accept: 'text/plain' },
    });
  });

  it('refuses what it does not send, with a clear error', async () => {
    const fetch = createNodeHttpFetch();
    await expect(fetch('ftp://example.test/file')).rejects.toThrow('Cannot fetch ftp: URLs.');
    await expect(
      fetch('http://127.0.0.1:9/', { method: 'POST', body: new URLSearchParams('a=1') }),
    ).rejects.toThrow('string or byte bodies only');
  });

  it('rejects when nothing listens', async () => {
    const server = await listen((response) => response.end());
    const closed = servers.pop()!;
    closed.close();
    await expect(createNodeHttpFetch()(`${server.base}/`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
