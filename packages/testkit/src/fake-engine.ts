import type { IncomingHttpHeaders } from 'node:http';

/** A chat message as both fake engines see it, whatever the wire format. */
export interface FakeChatMessage {
  role: string;
  content: string;
}

/** What a `reply` callback receives: the engine-neutral part of a chat request. */
export interface FakeChatRequest {
  model: string;
  messages: FakeChatMessage[];
  /** `num_predict` (Ollama) or `max_tokens` / `max_completion_tokens` (OpenAI), when sent. */
  maxTokens: number | undefined;
}

/** Makes every request fail with this HTTP status and message, in the engine's own error shape. */
export interface FakeEngineFailure {
  status: number;
  message: string;
}

export interface FakeEngineOptions {
  /** Model names the fake serves and lists. Defaults to `['test-model']`. */
  models?: string[];
  /** The token pieces to stream for a request. Defaults to {@link DEFAULT_REPLY} split into words. */
  reply?: (request: FakeChatRequest) => string[];
  /** Milliseconds to wait before each token, to imitate generation latency. Defaults to 0. */
  tokenDelayMs?: number;
  /**
   * Per-token wait that overrides `tokenDelayMs`, by token index (0 = first).
   * `Infinity` stalls the answer for good, like an engine that hangs: chaos
   * tests use it to hold a node mid-job without any timer.
   */
  delayBeforeToken?: (index: number) => number;
  failWith?: FakeEngineFailure;
}

/** One HTTP exchange the fake served, kept so tests can assert what a client really sent. */
export interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** `client-closed` means the client hung up before the fake finished answering (an abort). */
  outcome: 'pending' | 'completed' | 'client-closed';
}

export interface FakeEngineServer {
  /** Root URL, e.g. `http://127.0.0.1:41234`, without a trailing slash. */
  readonly url: string;
  /** Parsed JSON bodies of the chat requests received, oldest first. */
  readonly requests: unknown[];
  /** Every HTTP exchange, oldest first. */
  readonly calls: RecordedCall[];
  /** Starts (or, with no argument, stops) failing every request, to imitate an engine going down. */
  setFailure(failure?: FakeEngineFailure): void;
  /** Stops listening and drops open connections, so no test leaks a socket. */
  close(): Promise<void>;
}

export const DEFAULT_FAKE_MODELS: readonly string[] = ['test-model'];

export const DEFAULT_REPLY = 'The quick brown fox jumps over the lazy dog.';

/** Splits text into word pieces that keep their trailing space, so joining them restores the text. */
export function splitIntoPieces(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

export function defaultReply(): string[] {
  return splitIntoPieces(DEFAULT_REPLY);
}

/**
 * The fakes' prompt token count: whitespace-separated words across all
 * messages. Real tokenizers differ, but tests need a number they can predict.
 */
export function countPromptTokens(messages: readonly FakeChatMessage[]): number {
  return messages.reduce(
    (total, message) => total + message.content.split(/\s+/).filter(Boolean).length,
    0,
  );
}

/** Reads the messages array of a request body without trusting its shape. */
export function readMessages(body: unknown): FakeChatMessage[] {
  const messages = isRecord(body) && Array.isArray(body.messages) ? body.messages : [];
  return messages.filter(isRecord).map((message) => ({
    role: typeof message.role === 'string' ? message.role : 'user',
    content: typeof message.content === 'string' ? message.content : '',
  }));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Applies a token limit the way engines do: stop early and report `length`. */
export function limitPieces(
  pieces: string[],
  maxTokens: number | undefined,
): { pieces: string[]; truncated: boolean } {
  if (maxTokens === undefined || maxTokens < 0 || pieces.length <= maxTokens) {
    return { pieces, truncated: false };
  }
  return { pieces: pieces.slice(0, maxTokens), truncated: true };
}
