/**
 * The relay baseline: a bare `node:http` server that does only what relaying
 * needs. A provider POSTs `{ events: [...] }` to `/events/<stream>`; every
 * event is written at once as one SSE frame to the reader of
 * `/stream/<stream>`. No authentication, no storage, no resumption: the
 * floor any real relay is measured against (performance.md §4, "pass-through").
 *
 * Run as its own process; prints `pass-through relay listening at <url>`.
 */
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const readers = new Map<string, { response: ServerResponse; sequence: number }>();

const server = http.createServer((request, response) => {
  const [, kind, stream] = (request.url ?? '').split('/');
  if (request.method === 'GET' && kind === 'stream' && stream) {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write('event: job\ndata: {}\n\n');
    readers.set(stream, { response, sequence: 0 });
    request.on('close', () => readers.delete(stream));
    return;
  }
  if (request.method === 'POST' && kind === 'events' && stream) {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const { events } = JSON.parse(body) as { events: { event_type: string; data: unknown }[] };
      const reader = readers.get(stream);
      if (reader) {
        for (const event of events) {
          reader.sequence += 1;
          reader.response.write(
            `event: ${event.event_type}\ndata: ${JSON.stringify(event.data)}\nid: ${reader.sequence}\n\n`,
          );
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"data":{"inserted":${events.length}}}`);
    });
    return;
  }
  response.writeHead(404).end();
});

// Longer than any pause between loads, so a reused keep-alive socket is never closed under a request.
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`pass-through relay listening at http://127.0.0.1:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
