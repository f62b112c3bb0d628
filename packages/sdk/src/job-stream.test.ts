import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, InvalidResponseError, NotFoundError } from './errors';
import type { FetchFunction } from './http-transport';
import { InfernetClient } from './infernet-client';
import type { JobStreamEvent } from './job-stream';

const noSleep = async () => {};
const encoder = new TextEncoder();

/** A fetch whose SSE bodies arrive in exactly the byte chunks given, one script per connection. */
function chunkedSseFetch(connections: Uint8Array[][]) {
  const requests: Headers[] = [];
  const fetch: FetchFunction = async (_input, init = {}) => {
    const chunks = connections[requests.length] ?? [];
    requests.push(new Headers(init.headers));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
  return { fetch, requests };
}

/** Cuts bytes into pieces of `size`, so frames and multi-byte characters straddle chunks. */
function cut(text: string, size: number): Uint8Array[] {
  const bytes = encoder.encode(text);
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    pieces.push(bytes.slice(start, start + size));
  }
  return pieces;
}

function frame(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const JOB = { id: 'job-1', status: 'queued', model: 'demo', created_at: '2026-03-01T12:00:00Z' };
const META = { provider_node_id: 'node-1', provider_name: 'n', model: 'demo', engine: 'stub' };
const DONE = { text: 'héllo wörld', reason: 'stop', finished_at: '2026-03-01T12:00:01Z' };

async function collect(events: AsyncIterable<JobStreamEvent>): Promise<JobStreamEvent[]> {
  const seen: JobStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('streamJob over a chunked body', () => {
  it('parses events split at every byte boundary, multi-byte characters included', async () => {
    const text =
      frame('job', JOB) +
      ': keep-alive\n\n' +
      frame('meta', META, 1) +
      frame('token', { text: 'héllo ' }, 2) +
      frame('token', { text: 'wörld 🌍' }, 3) +
      frame('done', DONE, 4);
    for (const size of [1, 2, 3, 7, 64]) {
      const { fetch } = chunkedSseFetch([cut(text, size)]);
      const client = new InfernetClient({ baseUrl: 'http://control.test', fetch, sleep: noSleep });
      const events = await collect(client.streamJob({ jobId: 'job-1', streamToken: 'secret' }));
      expect(events.map((event) => event.event)).toEqual(['job', 'meta', 'token', 'token', 'done']);
      expect(events[3]).toEqual({ id: '3', event: 'token', data: { text: 'wörld 🌍' } });
    }
  });

  it('sends the stream token as a Bearer header', async () => {
    const { fetch, requests } = chunkedSseFetch([[encoder.encode(frame('done', DONE, 1))]]);
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await collect(client.streamJob({ jobId: 'job-1', streamToken: 'secret' }));
    expect(requests[0]?.get('authorization')).toBe('Bearer secret');
    expect(requests[0]?.get('accept')).toBe('text/event-stream');
  });

  it('reconnects with Last-Event-ID after a drop and does not repeat the job event', async () => {
    const { fetch, requests } = chunkedSseFetch([
      [
        encoder.encode(
          frame('job', JOB) + frame('meta', META, 1) + frame('token', { text: 'a' }, 2),
        ),
      ],
      [
        encoder.encode(
          frame('job', JOB) + frame('token', { text: 'b' }, 3) + frame('done', DONE, 4),
        ),
      ],
    ]);
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch, sleep: noSleep });
    const events = await collect(client.streamJob({ jobId: 'job-1', streamToken: 'secret' }));
    expect(events.map((event) => `${event.event}:${event.id ?? ''}`)).toEqual([
      'job:',
      'meta:1',
      'token:2',
      'token:3',
      'done:4',
    ]);
    expect(requests[0]?.get('last-event-id')).toBeNull();
    expect(requests[1]?.get('last-event-id')).toBe('2');
  });

  it('replaces a connection that went silent without closing', async () => {
    let connections = 0;
    const fetch: FetchFunction = async (_input, init = {}) => {
      connections += 1;
      const first = connections === 1;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (first) {
            controller.enqueue(encoder.encode(frame('meta', META, 1)));
            return; // never closes, never speaks again
          }
          controller.enqueue(encoder.encode(frame('done', DONE, 2)));
          controller.close();
        },
      });
      expect(new Headers(init.headers).get('last-event-id')).toBe(first ? null : '1');
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    };
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch, sleep: noSleep });
    const events = await collect(
      client.streamJob({ jobId: 'job-1', streamToken: 'secret', idleTimeoutMs: 30 }),
    );
    expect(events.map((event) => event.event)).toEqual(['meta', 'done']);
    expect(connections).toBe(2);
  });

  it('stops at an error event', async () => {
    const { fetch } = chunkedSseFetch([
      [encoder.encode(frame('error', { message: 'engine failed', code: 'ENGINE_ERROR' }, 5))],
    ]);
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const events = await collect(client.streamJob({ jobId: 'job-1', streamToken: 'secret' }));
    expect(events).toEqual([
      { id: '5', event: 'error', data: { message: 'engine failed', code: 'ENGINE_ERROR' } },
    ]);
  });

  it('gives up when reconnects keep bringing nothing new', async () => {
    const { fetch, requests } = chunkedSseFetch([]);
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch, sleep: noSleep });
    await expect(
      collect(client.streamJob({ jobId: 'job-1', streamToken: 'secret', maxReconnects: 2 })),
    ).rejects.toBeInstanceOf(ConnectionError);
    expect(requests).toHaveLength(3);
  });

  it('rejects an event whose data breaks the schema', async () => {
    const { fetch } = chunkedSseFetch([[encoder.encode(frame('token', { txt: 'x' }, 1))]]);
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await expect(
      collect(client.streamJob({ jobId: 'job-1', streamToken: 'secret' })),
    ).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe('chat against a local HTTP server', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void) {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('submits the job, then resumes the stream after the server cuts it', async () => {
    const seenLastEventIds: (string | undefined)[] = [];
    const baseUrl = await serve((request, response) => {
      if (request.method === 'POST' && request.url === '/api/chat') {
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            jobId: 'job-1',
            status: 'queued',
            model: 'demo',
            streamUrl: '/api/chat/stream/job-1?token=t0k',
            streamToken: 't0k',
            provider: null,
          }),
        );
        return;
      }
      if (
        request.url !== '/api/chat/stream/job-1' ||
        request.headers.authorization !== 'Bearer t0k'
      ) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: { code: 'JOB_NOT_FOUND', message: 'No such job.', requestId: 'r' },
          }),
        );
        return;
      }
      const lastEventId = request.headers['last-event-id'];
      seenLastEventIds.push(typeof lastEventId === 'string' ? lastEventId : undefined);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(frame('job', JOB));
      if (lastEventId === undefined) {
        response.write(frame('meta', META, 1));
        // Half a frame, then the connection dies: the client must drop it and resume after id 1.
        response.end('id: 2\nevent: token\ndata: {"te');
      } else {
        response.write(frame('token', { text: 'héllo wörld' }, 2));
        response.end(frame('done', DONE, 3));
      }
    });
    const client = new InfernetClient({ baseUrl, sleep: noSleep });
    const events = await collect(client.chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(events.map((event) => event.event)).toEqual(['job', 'meta', 'token', 'done']);
    expect(seenLastEventIds).toEqual([undefined, '1']);
  });

  it('reports a stream the server does not know as NotFoundError', async () => {
    const baseUrl = await serve((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: { code: 'JOB_NOT_FOUND', message: 'No such job.', requestId: 'r' },
        }),
      );
    });
    const client = new InfernetClient({ baseUrl, sleep: noSleep });
    await expect(
      collect(client.streamJob({ jobId: 'nope', streamToken: 'x' })),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
