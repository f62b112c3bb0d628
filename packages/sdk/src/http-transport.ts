import { InfernetError, isErrorCode, parseJson } from '@infernet/protocol';
import { linkAbortSignal, sleep as defaultSleep, type Sleep } from './abort';
import {
  ApiError,
  ConnectionError,
  InvalidResponseError,
  SdkError,
  TimeoutError,
  UserAbortError,
} from './errors';
import { parseJsonLeniently } from './json';
import { DEFAULT_MAX_RETRIES, retryDelayMs, shouldRetry } from './retry-policy';
import type { Infer, Schema } from './schema';

export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Per-call options every client method accepts. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export interface TransportOptions {
  baseUrl: string;
  /** Sent with every request unless the request sets the same header (a stream token, say). */
  headers?: Record<string, string> | undefined;
  /** Defaults to the global `fetch`; inject one to run against an in-process server or a test double. */
  fetch?: FetchFunction | undefined;
  maxRetries?: number | undefined;
  /** Per attempt, until the whole body has arrived (for streams: until the headers have). */
  timeoutMs?: number | undefined;
  /** Waits between retries; injectable so tests do not sleep. */
  sleep?: Sleep | undefined;
  /**
   * `error` refuses redirects. A signed request must never be re-sent to
   * wherever a redirect points: fetch would carry its auth header along.
   */
  redirect?: 'follow' | 'error' | undefined;
  random?: (() => number) | undefined;
}

/** What a request looks like on the wire, handed to `authorize` before every attempt. */
export interface OutgoingRequest {
  method: string;
  /** Pathname and query exactly as sent, including any prefix in `baseUrl`. */
  pathWithQuery: string;
  body: string;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** Built with the `path` tag; may carry a query string. */
  path: string;
  /** Serialised once, so every attempt (and its signature) covers the same bytes. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Extra headers computed per attempt, e.g. a fresh signature with a new nonce. */
  authorize?: (request: OutgoingRequest) => Record<string, string>;
  /** Whether repeating the request after an ambiguous failure is harmless. */
  idempotent: boolean;
  timeoutMs?: number;
  maxRetries?: number;
  signal?: AbortSignal | undefined;
}

/** An open response whose body the caller reads; `release` unhooks the caller's signal. */
export interface OpenResponse {
  response: Response;
  release: () => void;
}

/**
 * Sends requests with timeouts, typed errors and the retry policy. Both
 * clients go through it, so they behave the same on every failure.
 */
export class HttpTransport {
  readonly baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: FetchFunction;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #redirect: 'follow' | 'error';

  constructor({
    baseUrl,
    headers = {},
    fetch,
    maxRetries = DEFAULT_MAX_RETRIES,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    sleep = defaultSleep,
    random = Math.random,
    redirect = 'follow',
  }: TransportOptions) {
    this.#redirect = redirect;
    const url = parseBaseUrl(baseUrl);
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.#headers = lowerCaseKeys(headers);
    const globalFetch = globalThis.fetch as FetchFunction | undefined;
    const chosen = fetch ?? globalFetch;
    if (!chosen) throw new SdkError('No fetch available: pass `fetch` in the client options.');
    // Bound so a global fetch keeps its `this` (browsers throw "Illegal invocation" otherwise).
    this.#fetch = fetch ?? ((input, init) => globalFetch!.call(globalThis, input, init));
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new SdkError(`maxRetries must be a whole number ≥ 0, got ${maxRetries}.`);
    }
    if (!(timeoutMs > 0)) throw new SdkError(`timeoutMs must be positive, got ${timeoutMs}.`);
    this.#maxRetries = maxRetries;
    this.#timeoutMs = timeoutMs;
    this.#sleep = sleep;
    this.#random = random;
  }

  /** Sends a request and validates the JSON answer against `schema`. */
  async requestJson<S extends Schema>(spec: RequestSpec, schema: S): Promise<Infer<S>> {
    return this.request(spec, (text) => parseJson(text, schema) as Infer<S>);
  }

  /**
   * Sends a request and turns its body into a value with `decode`; whatever
   * `decode` throws becomes an `InvalidResponseError`.
   */
  async request<Result>(spec: RequestSpec, decode: (text: string) => Result): Promise<Result> {
    const text = await this.#withRetries(spec, async (attempt) => {
      try {
        return await attempt.response.text();
      } catch (error) {
        throw translateFailure(error, attempt.controller, spec.signal);
      } finally {
        attempt.finish();
      }
    });
    try {
      return decode(text);
    } catch (error) {
      const detail =
        InfernetError.isInstance(error) || error instanceof Error ? error.message : String(error);
      throw new InvalidResponseError(
        `${spec.method} ${spec.path} answered with an unexpected body (${detail}).`,
        { cause: error },
      );
    }
  }

  /**
   * Opens a streaming response. The timeout covers only the wait for its
   * headers; the caller's signal stays linked until it calls `release`.
   */
  async open(spec: RequestSpec): Promise<OpenResponse> {
    return this.#withRetries(spec, async (attempt) => {
      attempt.stopTimer();
      return { response: attempt.response, release: attempt.finish };
    });
  }

  async #withRetries<Result>(
    spec: RequestSpec,
    consume: (attempt: Attempt) => Promise<Result>,
  ): Promise<Result> {
    const maxRetries = spec.maxRetries ?? this.#maxRetries;
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    for (let retry = 0; ; retry += 1) {
      try {
        return await consume(await this.#attempt(spec, body));
      } catch (error) {
        if (retry >= maxRetries || !shouldRetry(error, { idempotent: spec.idempotent })) {
          throw error;
        }
        await this.#sleep(retryDelayMs(retry, error, this.#random), spec.signal);
      }
    }
  }

  /** One try: resolves once a 2xx status and headers are in, with the timer still running. */
  async #attempt(spec: RequestSpec, body: string | undefined): Promise<Attempt> {
    const url = new URL(this.baseUrl + spec.path);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.#headers,
      ...spec.headers,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (spec.authorize) {
      const outgoing = { method: spec.method, pathWithQuery: url.pathname + url.search };
      Object.assign(headers, spec.authorize({ ...outgoing, body: body ?? '' }));
    }
    const controller = new AbortController();
    const unlink = linkAbortSignal(spec.signal, controller);
    const timeoutMs = spec.timeoutMs ?? this.#timeoutMs;
    const timer = setTimeout(
      () => controller.abort(new TimeoutError(`No answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
    const stopTimer = () => clearTimeout(timer);
    const finish = () => {
      stopTimer();
      unlink();
    };
    try {
      const init: RequestInit = {
        method: spec.method,
        headers,
        signal: controller.signal,
        redirect: this.#redirect,
      };
      if (body !== undefined) init.body = body;
      const response = await this.#fetch(url.href, init).catch((error: unknown) => {
        throw translateFailure(error, controller, spec.signal);
      });
      if (!response.ok) throw await readApiError(response, controller, spec.signal);
      return { response, controller, stopTimer, finish };
    } catch (error) {
      finish();
      throw error;
    }
  }
}

interface Attempt {
  response: Response;
  controller: AbortController;
  stopTimer: () => void;
  /** Stops the timer and unhooks the caller's signal. */
  finish: () => void;
}

function parseBaseUrl(baseUrl: string): URL {
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('not http(s)');
    return url;
  } catch (error) {
    throw new SdkError(
      `baseUrl must be an http(s) URL such as http://localhost:3000, got ${JSON.stringify(baseUrl)}.`,
      { cause: error },
    );
  }
}

/** Turns whatever fetch or a body read threw into one of our error classes. */
export function translateFailure(
  error: unknown,
  controller: AbortController,
  callerSignal: AbortSignal | undefined,
): SdkError {
  if (SdkError.isInstance(error)) return error;
  if (callerSignal?.aborted) return new UserAbortError(undefined, { cause: error });
  if (controller.signal.reason instanceof TimeoutError) return controller.signal.reason;
  const detail = error instanceof Error ? describeCause(error) : String(error);
  return new ConnectionError(`Connection error: ${detail}.`, { cause: error });
}

function describeCause(error: Error): string {
  // Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED…) is in `cause`.
  const cause = error.cause;
  if (cause instanceof Error && cause.message) return `${error.message} (${cause.message})`;
  return error.message;
}

async function readApiError(
  response: Response,
  controller: AbortController,
  callerSignal: AbortSignal | undefined,
): Promise<SdkError> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return translateFailure(error, controller, callerSignal);
  }
  const body = parseJsonLeniently(text);
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const message =
    typeof error.message === 'string' && error.message
      ? error.message
      : `The server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
  return ApiError.generate({
    status: response.status,
    code: errorCode(error.code),
    message,
    requestId:
      typeof error.requestId === 'string' ? error.requestId : response.headers.get('x-request-id'),
    headers: response.headers,
    details: isRecord(error.details) ? error.details : undefined,
  });
}

/**
 * Our own code, as the error body names it. The OpenAI-compatible routes
 * (`/v1/*`) answer in OpenAI's shape, which carries the same code in lower case.
 */
function errorCode(code: unknown): string {
  if (typeof code !== 'string' || code === '') return 'UNKNOWN';
  const upper = code.toUpperCase();
  return isErrorCode(upper) ? upper : code;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
