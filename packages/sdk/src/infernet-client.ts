import {
  CancelResponseSchema,
  ChatResponseSchema,
  HealthResponseSchema,
  OpenAiModelListSchema,
  OverviewResponseSchema,
  ProvidersResponseSchema,
  PublicProviderDetailResponseSchema,
  type CancelResponse,
  type ChatMessage,
  type ChatResponse,
  type ModelSummary,
  type Overview,
  type PublicProvider,
  type PublicProviderDetail,
} from '@infernet/protocol';
import { sleep as defaultSleep, type Sleep } from './abort';
import { ChatStream, type ChatResult } from './chat-stream';
import {
  decodeEmbeddings,
  embeddingsBody,
  type EmbeddingsInput,
  type EmbeddingsResult,
} from './embeddings';
import { SdkError } from './errors';
import { HttpTransport, type CallOptions, type FetchFunction } from './http-transport';
import { streamJobEvents, type JobStreamEvent, type StreamJobOptions } from './job-stream';
import { path } from './path';
import type { Schema } from './schema';

export interface InfernetClientOptions {
  /** The control plane, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /**
   * An API key from `POST /api/keys`, sent as `Authorization: Bearer` on every
   * request: jobs are then the account's, readable only with this key.
   */
  apiKey?: string | undefined;
  fetch?: FetchFunction | undefined;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
}

/** `POST /api/chat` as a caller writes it; the server fills in the defaults. */
export interface ChatInput {
  messages: ChatMessage[];
  /** Defaults to the model most nodes serve. */
  model?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  /**
   * `false`: Infernet's nodes only. When none can take the job the answer is
   * the honest refusal, never the server's configured fallback (NVIDIA NIM).
   */
  fallback?: boolean | undefined;
}

export interface CancelOptions extends CallOptions {
  /** The job's stream token; without it the client's `apiKey` must own the job. */
  streamToken?: string | undefined;
}

/**
 * The consumer API: chat jobs and their streams, models, embeddings and the
 * public network overview. Runs in browsers and Node.
 *
 * @example
 * const client = new InfernetClient({ baseUrl: 'http://localhost:3000', apiKey });
 * for await (const event of client.chat({ messages: [{ role: 'user', content: 'hi' }] })) {
 *   if (event.event === 'token') process.stdout.write(event.data.text);
 * }
 */
export class InfernetClient {
  readonly #transport: HttpTransport;
  readonly #sleep: Sleep;

  constructor({ apiKey, ...options }: InfernetClientOptions) {
    // Caught here rather than as a TypeError from `Headers` on the first request.
    if (apiKey !== undefined && !/^[\x21-\x7e]+$/.test(apiKey)) {
      throw new SdkError('apiKey must be the key exactly as POST /api/keys returned it.');
    }
    this.#transport = new HttpTransport({
      ...options,
      headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
    });
    this.#sleep = options.sleep ?? defaultSleep;
  }

  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /**
   * Sends a chat job. By default returns a `ChatStream` to iterate for its
   * events; with `stream: false`, the finished answer, as `complete()` does.
   */
  chat(request: ChatInput & { stream: false }, options?: CallOptions): Promise<ChatResult>;
  chat(request: ChatInput & { stream?: true | undefined }, options?: CallOptions): ChatStream;
  chat(
    request: ChatInput & { stream?: boolean | undefined },
    options?: CallOptions,
  ): ChatStream | Promise<ChatResult>;
  chat(
    { stream, ...request }: ChatInput & { stream?: boolean | undefined },
    options: CallOptions = {},
  ): ChatStream | Promise<ChatResult> {
    const chat = this.#chatStream(request, options);
    return stream === false ? chat.final() : chat;
  }

  /**
   * Sends a chat job and waits for the whole answer: its text, the engine's
   * token usage and the node that served it. The answer is read from the
   * job's stream, so a dropped connection resumes instead of losing it.
   * Throws `JobFailedError` when the job ends in an error.
   */
  complete(request: ChatInput, options: CallOptions = {}): Promise<ChatResult> {
    return this.#chatStream(request, options).final();
  }

  /**
   * Queues a chat job and returns its id and stream token without reading
   * the stream. It creates a job, so only errors the server marks retryable
   * (no capacity yet, say) are retried.
   */
  async submit(request: ChatInput, options: CallOptions = {}): Promise<ChatResponse> {
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

  /** Cancels a job. Cancelling a finished job is a no-op that reports `cancelled: false`. */
  async cancel(jobId: string, options: CancelOptions = {}): Promise<CancelResponse> {
    const { streamToken, signal } = options;
    return this.#transport.requestJson(
      {
        method: 'POST',
        path: path`/api/chat/${jobId}/cancel`,
        headers: streamToken === undefined ? {} : { authorization: `Bearer ${streamToken}` },
        idempotent: true,
        signal,
      },
      CancelResponseSchema,
    );
  }

  /** Models some live node serves (`GET /v1/models`), with how many nodes serve each. */
  async models(options: CallOptions = {}): Promise<ModelSummary[]> {
    const list = await this.#get(path`/v1/models`, OpenAiModelListSchema, options);
    return list.data.map((model) => ({ name: model.id, nodes: model.nodes }));
  }

  /** Embeds one text or several (`POST /v1/embeddings`); vectors come back in input order. */
  async embeddings(request: EmbeddingsInput, options: CallOptions = {}): Promise<EmbeddingsResult> {
    const inputs = typeof request.input === 'string' ? 1 : request.input.length;
    return this.#transport.request(
      {
        method: 'POST',
        path: path`/v1/embeddings`,
        body: embeddingsBody(request),
        idempotent: false,
        signal: options.signal,
      },
      (text) => decodeEmbeddings(text, inputs),
    );
  }

  /** The listed nodes (`GET /api/providers`): coarse GPU tiers, models and status, never an address. */
  async providers(options: CallOptions = {}): Promise<PublicProvider[]> {
    const body = await this.#get(path`/api/providers`, ProvidersResponseSchema, options);
    return body.data;
  }

  /**
   * One listed node (`GET /api/providers/{id}`) with its recent activity.
   * An unknown or unlisted node throws `NotFoundError`.
   */
  async provider(id: string, options: CallOptions = {}): Promise<PublicProviderDetail> {
    const body = await this.#get(
      path`/api/providers/${id}`,
      PublicProviderDetailResponseSchema,
      options,
    );
    return body.data;
  }

  /** The network at a glance (`GET /api/overview`): nodes, models, jobs, throughput, VRAM tiers. */
  async overview(options: CallOptions = {}): Promise<Overview> {
    const body = await this.#get(path`/api/overview`, OverviewResponseSchema, options);
    return body.data;
  }

  async health(options: CallOptions = {}): Promise<{ status: 'ok' }> {
    return this.#get(path`/healthz`, HealthResponseSchema, options);
  }

  #chatStream(request: ChatInput, options: CallOptions): ChatStream {
    return new ChatStream({
      job: this.submit(request, options),
      events: (job) =>
        this.streamJob({ jobId: job.jobId, streamToken: job.streamToken, signal: options.signal }),
      cancel: (job) => this.cancel(job.jobId, { streamToken: job.streamToken }),
    });
  }

  #get<S extends Schema>(route: string, schema: S, options: CallOptions) {
    return this.#transport.requestJson(
      { method: 'GET', path: route, idempotent: true, signal: options.signal },
      schema,
    );
  }
}
