import type { CancelResponse, ChatResponse } from '@infernet/protocol';
import { InvalidResponseError, JobFailedError } from './errors';
import type { JobStreamEvent } from './job-stream';

type EventData<Name extends JobStreamEvent['event']> = Extract<
  JobStreamEvent,
  { event: Name }
>['data'];

/** The `meta` event's data: which node, engine and model serve the job. */
export type ChatMeta = EventData<'meta'>;

/** Token counts as the engine reported them. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** A finished answer: what `complete()` returns. */
export interface ChatResult {
  jobId: string;
  model: string;
  text: string;
  /** Why generation stopped (`stop`, `length`, …), when the node said. */
  finishReason: string | undefined;
  /** The engine's own counts; undefined when the node reported none (never made up). */
  usage: ChatUsage | undefined;
  /** The node and engine that served it; undefined if the job finished before any node took it. */
  meta: ChatMeta | undefined;
}

export interface ChatStreamSource {
  /** The queued job; settled before the stream is read. */
  job: Promise<ChatResponse>;
  events: (job: ChatResponse) => AsyncGenerator<JobStreamEvent, void, undefined>;
  cancel: (job: ChatResponse) => Promise<CancelResponse>;
}

/**
 * One chat job, returned by `InfernetClient.chat()` once the job is sent.
 * Iterate it for the job's events (`job`, `queue` while it waits for a node,
 * `meta`, `token`…, then `done` or `error`), reconnecting with `Last-Event-ID` when the connection drops.
 * Awaiting it instead gives the queued job (`jobId`, `streamToken`) without
 * reading the stream, which is what `submit()` returns.
 *
 * @example
 * for await (const event of client.chat({ messages })) {
 *   if (event.event === 'token') process.stdout.write(event.data.text);
 * }
 */
export class ChatStream implements AsyncIterable<JobStreamEvent>, PromiseLike<ChatResponse> {
  readonly #source: ChatStreamSource;

  constructor(source: ChatStreamSource) {
    this.#source = source;
    // A refused submission surfaces where the caller awaits or iterates, never as an unhandled rejection.
    source.job.catch(() => {});
  }

  /** The queued job: its id, model and stream token. */
  get job(): Promise<ChatResponse> {
    return this.#source.job;
  }

  then<Fulfilled = ChatResponse, Rejected = never>(
    onFulfilled?: ((job: ChatResponse) => Fulfilled | PromiseLike<Fulfilled>) | null,
    onRejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null,
  ): Promise<Fulfilled | Rejected> {
    return this.#source.job.then(onFulfilled, onRejected);
  }

  /** Each iteration reads the job's stream from its start. */
  async *[Symbol.asyncIterator](): AsyncGenerator<JobStreamEvent, void, undefined> {
    const job = await this.#source.job;
    yield* this.#source.events(job);
  }

  /** Reads the stream to its end and returns the answer; a job that ends in `error` throws `JobFailedError`. */
  async final(): Promise<ChatResult> {
    const job = await this.#source.job;
    return collectChatResult(job, this.#source.events(job));
  }

  /** Cancels the job; cancelling a finished job is a no-op that reports `cancelled: false`. */
  async cancel(): Promise<CancelResponse> {
    return this.#source.cancel(await this.#source.job);
  }
}

/** Folds a job's events into its answer: the `done` event's text and usage. */
export async function collectChatResult(
  job: ChatResponse,
  events: AsyncIterable<JobStreamEvent>,
): Promise<ChatResult> {
  let meta: ChatMeta | undefined;
  for await (const event of events) {
    if (event.event === 'meta') meta = event.data;
    if (event.event === 'error') {
      throw new JobFailedError({
        jobId: job.jobId,
        code: event.data.code,
        message: event.data.message,
        deliveredTokens: event.data.delivered_tokens,
      });
    }
    if (event.event === 'done') {
      const usage = event.data.usage;
      return {
        jobId: job.jobId,
        model: meta?.model ?? job.model,
        text: event.data.text,
        finishReason: event.data.reason,
        usage: usage && {
          promptTokens: usage.prompt_tokens,
          completionTokens: usage.completion_tokens,
          totalTokens: usage.prompt_tokens + usage.completion_tokens,
        },
        meta,
      };
    }
  }
  // The stream reader only returns after `done` or `error`; anything else is a broken server.
  throw new InvalidResponseError(`The stream of job ${job.jobId} ended without a done event.`);
}
