import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/** Statuses whose responses have no body (the Fetch standard's "null body status"). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export interface NodeHttpFetchOptions {
  /**
   * An idle kept-alive connection is closed after this long. Below Node's
   * default server keep-alive (5 s), so a request is never written to a
   * connection the server is closing at that moment (ECONNRESET); Node's
   * agent, unlike fetch, does not read the server's `Keep-Alive: timeout`.
   */
  idleSocketTimeoutMs?: number | undefined;
}

const DEFAULT_IDLE_SOCKET_TIMEOUT_MS = 4_000;

function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  throw new TypeError('This fetch sends string or byte bodies only.');
}

function plainHeaders(...sources: (HeadersInit | undefined)[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const source of sources) {
    new Headers(source).forEach((value, name) => (headers[name] = value));
  }
  return headers;
}

function responseHeaders(incoming: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}

/**
 * A `fetch` for Node processes that send many small requests to few hosts
 * (a provider daemon: token batches, polls, its engine): `node:http` with
 * keep-alive connections, answered as standard `Response`s. Node's built-in
 * fetch runs the whole Fetch algorithm per request and measured about twice
 * the CPU per small POST here (`bench:ttft` profiles), which a daemon
 * streaming tokens for dozens of jobs pays hundreds of times a second.
 *
 * What it leaves out, on purpose: redirects are never followed (a 3xx comes
 * back as it is, so a signed request is never re-sent elsewhere), bodies
 * are strings or bytes given in `init`, and responses are not decompressed
 * (it asks for no compression).
 *
 * @example
 * const client = new NodeClient({ baseUrl, privateKey, fetch: createNodeHttpFetch() });
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): typeof fetch {
  const agentOptions = {
    keepAlive: true,
    // The agent applies this to every socket, but closes only idle ones when it passes.
    timeout: options.idleSocketTimeoutMs ?? DEFAULT_IDLE_SOCKET_TIMEOUT_MS,
  };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      // A Request lends its URL, method and headers; its body would need a stream reader.
      const base = input instanceof Request ? input : undefined;
      if (base?.body) {
        reject(new TypeError('This fetch takes a request body in `init`, not in a Request.'));
        return;
      }
      const url = new URL(input instanceof Request ? input.url : input);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(new TypeError(`Cannot fetch ${url.protocol} URLs.`));
        return;
      }
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const method = (init.method ?? base?.method ?? 'GET').toUpperCase();
      let body: string | Uint8Array | undefined;
      try {
        body = requestBody(init.body);
      } catch (error) {
        reject(error);
        return;
      }
      const headers = plainHeaders(base?.headers, init.headers);
      // Stated always: Node sends a DELETE's body without a length otherwise, and servers drop it.
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const send = url.protocol === 'https:' ? https.request : http.request;
      let answer: http.IncomingMessage | undefined;
      const request = send(url, { method, headers, agent: agents[url.protocol] }, (incoming) => {
        answer = incoming;
        const status = incoming.statusCode ?? 0;
        const headers = responseHeaders(incoming);
        const hasBody = method !== 'HEAD' && !NULL_BODY_STATUSES.has(status);
        if (!hasBody) incoming.resume();
        resolve(
          new Response(hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : null, {
            status,
            statusText: incoming.statusMessage ?? '',
            headers,
          }),
        );
      });
      // An abort fails the request or, once the answer arrived, its body, with the abort's reason.
      const onAbort = () => {
        const reason = signal?.reason as Error;
        if (answer) answer.destroy(reason);
        request.destroy(reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.once('close', () => signal?.removeEventListener('abort', onAbort));
      request.on('error', reject);
      request.end(body);
    });
}
