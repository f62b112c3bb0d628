import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedCall } from './fake-engine';

export type RequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  call: RecordedCall,
) => Promise<void>;

export interface RunningServer {
  url: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 with an ephemeral port, parses JSON bodies, and records
 * every exchange with how it ended, so tests can see whether a client aborted.
 */
export async function startHttpServer(handler: RequestHandler): Promise<RunningServer> {
  const calls: RecordedCall[] = [];
  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const call: RecordedCall = {
      method: request.method ?? 'GET',
      path: url.pathname,
      headers: request.headers,
      body: undefined,
      outcome: 'pending',
    };
    calls.push(call);
    response.on('close', () => {
      call.outcome = response.writableFinished ? 'completed' : 'client-closed';
    });
    try {
      const text = await readBody(request);
      call.body = text === '' ? undefined : JSON.parse(text);
    } catch {
      sendJson(response, 400, { error: 'request body is not valid JSON' });
      return;
    }
    try {
      await handler(request, response, call);
    } catch (error) {
      if (!response.headersSent) sendJson(response, 500, { error: String(error) });
      else response.destroy();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive and half-read streaming connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Writes one piece of a streamed body; false when the client has gone, so the caller stops. */
export function writeChunk(response: ServerResponse, text: string): boolean {
  if (response.destroyed || response.writableEnded) return false;
  response.write(text);
  return true;
}

export function delay(milliseconds: number): Promise<void> {
  if (milliseconds <= 0) return Promise.resolve();
  // A pending promise holds no timer, so a stalled fake never keeps a process alive.
  if (!Number.isFinite(milliseconds)) return new Promise(() => undefined);
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
