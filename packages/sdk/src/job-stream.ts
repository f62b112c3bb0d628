import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  InfernetError,
  parseJson,
  STREAM_EVENT_NAMES,
  SSE_KEEP_ALIVE_MS,
  STREAM_EVENT_SCHEMAS,
  type StreamEventName,
} from '@infernet/protocol';
import type { Sleep } from './abort';
import { ConnectionError, InvalidResponseError, UserAbortError } from './errors';
import type { HttpTransport, OpenResponse } from './http-transport';
import { path } from './path';
import { shouldRetry } from './retry-policy';
import type { Infer } from './schema';

/** One event of a job's stream, its `data` validated against the protocol schema for its name. */
export type JobStreamEvent = {
  [Name in StreamEventName]: {
    /** The stored event's id; absent on `job`, which describes the job rather than being stored. */
    id?: string | undefined;
    event: Name;
    data: Infer<(typeof STREAM_EVENT_SCHEMAS)[Name]>;
  };
}[StreamEventName];

export interface StreamJobOptions {
  jobId: string;
  /**
   * The job's `streamToken` (from `submit()`, or the `job` of a `chat()`);
   * sent as a Bearer header, never in the URL. Without it the client's
   * `apiKey` is sent, which reads the jobs of its own account.
   */
  streamToken?: string | undefined;
  /** Resume after this event id, e.g. one saved from an earlier stream. */
  lastEventId?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Reconnects in a row that bring no new event before giving up. Defaults to 5. */
  maxReconnects?: number | undefined;
  /**
   * Silence after which the connection counts as dead and is replaced.
   * The server sends a keep-alive comment every 15 s, so the default of
   * 45 s only fires on a connection that died without closing.
   */
  idleTimeoutMs?: number | undefined;
}

/** The SSE default when the server sends no `retry:` field. */
const DEFAULT_RECONNECT_DELAY_MS = 1_000;
const MAX_RECONNECT_DELAY_MS = 30_000;
const DEFAULT_MAX_RECONNECTS = 5;
const DEFAULT_IDLE_TIMEOUT_MS = SSE_KEEP_ALIVE_MS * 3;

const KNOWN_EVENTS = new Set<string>(STREAM_EVENT_NAMES);

/**
 * Follows a job's SSE stream until its `done` or `error` event. When the
 * connection drops first, it reconnects with `Last-Event-ID`, so the server
 * resumes after the last event seen: no gap, no duplicate.
 */
export async function* streamJobEvents(
  transport: HttpTransport,
  sleep: Sleep,
  options: StreamJobOptions,
): AsyncGenerator<JobStreamEvent, void, undefined> {
  const {
    jobId,
    streamToken,
    signal,
    maxReconnects = DEFAULT_MAX_RECONNECTS,
    idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS,
  } = options;
  let lastEventId = options.lastEventId;
  let reconnectDelayMs = DEFAULT_RECONNECT_DELAY_MS;
  let failedReconnects = 0;
  let jobEventSeen = false;
  let connections = 0;

  for (;;) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (streamToken !== undefined) headers['authorization'] = `Bearer ${streamToken}`;
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    let opened: OpenResponse | typeof DROPPED;
    try {
      opened = await transport.open({
        method: 'GET',
        path: path`/api/chat/stream/${jobId}`,
        headers,
        idempotent: true,
        signal,
      });
    } catch (error) {
      // The first connection reports its failure; a reconnect keeps trying while the server is away.
      const reconnecting = connections > 0 && shouldRetry(error, { idempotent: true });
      if (!reconnecting) throw error;
      opened = DROPPED;
    }
    connections += 1;
    const { response, release } = opened;
    let progressed = false;
    try {
      if (!response) throw new StreamDropped('reconnect failed');
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.includes('text/event-stream') || !response.body) {
        throw new InvalidResponseError(
          `The job stream answered with ${contentType || 'no content type'}, not text/event-stream.`,
        );
      }
      const events = readEvents(response.body, {
        idleTimeoutMs,
        onRetry: (milliseconds) => (reconnectDelayMs = milliseconds),
      });
      for await (const event of events) {
        progressed = true;
        if (event.id !== undefined) lastEventId = event.id;
        // Every connection starts with a `job` event; the caller has it from the first one.
        if (event.event === 'job' && jobEventSeen) continue;
        if (event.event === 'job') jobEventSeen = true;
        yield event;
        if (event.event === 'done' || event.event === 'error') return;
      }
    } catch (error) {
      if (signal?.aborted) throw new UserAbortError(undefined, { cause: error });
      if (!(error instanceof StreamDropped)) throw error;
    } finally {
      release();
    }
    failedReconnects = progressed ? 0 : failedReconnects + 1;
    if (failedReconnects > maxReconnects) {
      throw new ConnectionError(
        `The stream of job ${jobId} kept ending before its done event (${maxReconnects} reconnects without progress).`,
      );
    }
    const backoff = reconnectDelayMs * 2 ** Math.max(failedReconnects - 1, 0);
    await sleep(Math.min(backoff, MAX_RECONNECT_DELAY_MS), signal);
  }
}

/** The body ended or broke before a terminal event: reconnect rather than fail. */
class StreamDropped extends Error {}

const DROPPED: { response: undefined; release: () => void } = {
  response: undefined,
  release: () => {},
};

async function* readEvents(
  body: ReadableStream<Uint8Array>,
  options: { idleTimeoutMs: number; onRetry: (milliseconds: number) => void },
): AsyncGenerator<JobStreamEvent> {
  const pending: JobStreamEvent[] = [];
  const parser = createParser({
    onEvent: (message) => {
      const event = toStreamEvent(message);
      if (event) pending.push(event);
    },
    onRetry: options.onRetry,
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  // Cancelling the reader makes the pending read resolve as done, which reconnects.
  const onIdle = () => void reader.cancel().catch(() => {});
  let idleTimer = setTimeout(onIdle, options.idleTimeoutMs);
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new StreamDropped('stream broke', { cause: error });
      }
      clearTimeout(idleTimer);
      if (chunk.done) throw new StreamDropped('stream ended');
      idleTimer = setTimeout(onIdle, options.idleTimeoutMs);
      // `stream: true` keeps a multi-byte character split across chunks intact.
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      while (pending.length > 0) yield pending.shift()!;
    }
  } finally {
    clearTimeout(idleTimer);
    // Cancelling tells the server we left, so it stops writing to a dead stream.
    reader.cancel().catch(() => {});
  }
}

function toStreamEvent(message: EventSourceMessage): JobStreamEvent | undefined {
  const name = message.event;
  // Unnamed messages and names this SDK does not know (keep-alives, newer servers) are skipped.
  if (name === undefined || !KNOWN_EVENTS.has(name)) return undefined;
  const eventName = name as StreamEventName;
  let data: unknown;
  try {
    data = parseJson(message.data, STREAM_EVENT_SCHEMAS[eventName]);
  } catch (error) {
    const detail = InfernetError.isInstance(error) ? error.message : String(error);
    throw new InvalidResponseError(`The stream sent a malformed "${eventName}" event: ${detail}`, {
      cause: error,
    });
  }
  return { id: message.id, event: eventName, data } as JobStreamEvent;
}
