import http from 'node:http';
import { createSseFrameReader } from './sse-frames';

/**
 * Bare `node:http` helpers for load generators: cheaper per request than
 * `fetch`, so more of the machine is left to the system under test.
 */
export const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export interface PostResult {
  status: number;
  body: string;
}

export function postJson(
  baseUrl: URL,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent: keepAliveAgent,
        host: baseUrl.hostname,
        port: baseUrl.port,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

export interface SseEvent {
  event: string;
  data: string;
}

export interface SseConnection {
  /** Resolves once the response headers arrived with status 200. */
  opened: Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * Opens an SSE stream and calls `onEvent` for each complete event with the
 * time its chunk arrived. Only `event:` and single-line `data:` fields are
 * read, which is all the job stream sends.
 */
export function openSse(
  baseUrl: URL,
  path: string,
  headers: Record<string, string>,
  onEvent: (event: SseEvent, arrivedAt: number) => void,
): SseConnection {
  let resolveOpened: () => void = () => {};
  let rejectOpened: (error: Error) => void = () => {};
  let resolveEnded: () => void = () => {};
  const opened = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  const request = http.get(
    {
      // Each stream holds its own connection for its whole life.
      agent: false,
      host: baseUrl.hostname,
      port: baseUrl.port,
      path,
      headers: { accept: 'text/event-stream', ...headers },
    },
    (response) => {
      if (response.statusCode !== 200) {
        rejectOpened(new Error(`SSE ${path} answered ${response.statusCode}`));
        response.resume();
        return;
      }
      resolveOpened();
      response.setEncoding('utf8');
      let arrivedAt = 0;
      const read = createSseFrameReader((frame) => onEvent(frame, arrivedAt));
      response.on('data', (chunk: string) => {
        arrivedAt = performance.now();
        read(chunk);
      });
      response.on('end', resolveEnded);
      response.on('close', resolveEnded);
    },
  );
  request.on('error', (error) => {
    rejectOpened(error);
    resolveEnded();
  });
  return { opened, ended, close: () => request.destroy() };
}
