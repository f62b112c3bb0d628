import {
  ChatResponseSchema,
  HealthResponseSchema,
  ModelsResponseSchema,
  OverviewResponseSchema,
  ProvidersResponseSchema,
  type ChatMessage,
  type ChatResponse,
  type ModelSummary,
  type Overview,
  type PublicProvider,
} from '@infernet/protocol';
import { sleep as defaultSleep, type Sleep } from './abort';
import { HttpTransport, type FetchFunction } from './http-transport';
import { streamJobEvents, type JobStreamEvent, type StreamJobOptions } from './job-stream';
import { path } from './path';

export interface InfernetClientOptions {
  /** The control plane, e.g. `http://localhost:3000`. */
  baseUrl: string;
  fetch?: FetchFunction | undefined;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
}

/** `POST /api/chat` as a caller writes it; the server fills in the defaults. */
export interface ChatInput {
  messages: ChatMessage[];
  model?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/**
 * The consumer API: submit chat jobs, follow their streams, read the public
 * network overview. Runs in browsers and Node.
 *
 * @example
 * const client = new InfernetClient({ baseUrl: 'http://localhost:3000' });
 * for await (const event of client.chatStream({ messages: [{ role: 'user', content: 'hi' }] })) {
 *   if (event.event === 'token') process.stdout.write(event.data.text);
 * }
 */
export class InfernetClient {
  readonly #transport: HttpTransport;
  readonly #sleep: Sleep;

  constructor(options: InfernetClientOptions) {
    this.#transport = new HttpTransport(options);
    this.#sleep = options.sleep ?? defaultSleep;
  }

  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /**
   * Queues a chat job and returns its id and stream token. It creates a job,
   * so only errors the server marks retryable (no capacity yet, say) are retried.
   */
  async chat(request: ChatInput, options: CallOptions = {}): Promise<ChatResponse> {
    return this.#transport.requestJson(
      {
        method: 'POST',
        path: path`/api/chat`,
        body: request,
        idempotent: false,
        signal: options.signal,
      },
      ChatResponseSchema,
    );
  }

  /** Follows a job's events until `done` or `error`, reconnecting with `Last-Event-ID` when dropped. */
  streamJob(options: StreamJobOptions): AsyncGenerator<JobStreamEvent, void, undefined> {
    return streamJobEvents(this.#transport, this.#sleep, options);
  }

  /** `chat` then `streamJob`: the events of one answer, starting with the `job` event. */
  async *chatStream(
    request: ChatInput,
    options: CallOptions = {},
  ): AsyncGenerator<JobStreamEvent, void, undefined> {
    const job = await this.chat(request, options);
    yield* this.streamJob({
      jobId: job.jobId,
      streamToken: job.streamToken,
      signal: options.signal,
    });
  }

  /** Models some live node serves, with how many nodes serve each. */
  async models(options: CallOptions = {}): Promise<ModelSummary[]> {
    const body = await this.#get(path`/api/models`, ModelsResponseSchema, options);
    return body.data;
  }

  async providers(options: CallOptions = {}): Promise<PublicProvider[]> {
    const body = await this.#get(path`/api/providers`, ProvidersResponseSchema, options);
    return body.data;
  }

  async overview(options: CallOptions = {}): Promise<Overview> {
    const body = await this.#get(path`/api/overview`, OverviewResponseSchema, options);
    return body.data;
  }

  async health(options: CallOptions = {}): Promise<{ status: 'ok' }> {
    return this.#get(path`/healthz`, HealthResponseSchema, options);
  }

  #get<S extends Parameters<HttpTransport['requestJson']>[1]>(
    route: string,
    schema: S,
    options: CallOptions,
  ) {
    return this.#transport.requestJson(
      { method: 'GET', path: route, idempotent: true, signal: options.signal },
      schema,
    );
  }
}
