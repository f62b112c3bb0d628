import { MAX_EVENTS_PER_BATCH, TOKEN_BATCH_INTERVAL_MS, type NodeEvent } from '@infernet/protocol';
import type { Clock, TimerHandle } from './clock';

/** One request's worth of events, numbered 1, 2, 3 … in the order they are first sent. */
export interface EventBatch {
  number: number;
  events: NodeEvent[];
  /** It carries the meta event or the first token, which go out at once, not on a tick. */
  urgent: boolean;
}

export interface TokenBatcherOptions {
  /** Posts one batch; resolves once the control plane stored it (or had already stored its number). */
  send(batch: EventBatch): Promise<void>;
  clock: Clock;
  intervalMs?: number;
  /**
   * Where the node's ticks fall within an interval (ms after each multiple
   * of it). A daemon picks one at random for all its jobs, so different
   * nodes' posts spread over the interval instead of reaching the control
   * plane in the same instant.
   */
  tickOffsetMs?: number | undefined;
  /** True for errors that mean the job is no longer ours (lost lease, cancelled): stop sending. */
  isFatal?(error: unknown): boolean;
  /** Told about every failed send; `fatal` says whether batching stopped. */
  onError?(error: unknown, fatal: boolean): void;
}

/** Failed sends tolerated while closing before giving up. */
const CLOSE_ATTEMPTS = 3;
/** Ceiling for the pause after failed sends, so a recovering control plane is not hammered. */
const MAX_FAILURE_PAUSE_MS = 5_000;

/**
 * Streams a job's events to the control plane. The meta event and the
 * first token go out at once (time to first token is what users feel);
 * later tokens are collected and sent together at most once per interval
 * (50 ms), on ticks every job of the node shares, so a fast model costs
 * tens of requests per second instead of hundreds, and a node streaming
 * for many jobs sends their batches together. Each engine chunk stays its
 * own event, so readers see the stream exactly as the engine produced it. Sends never overlap, which
 * keeps events in order.
 * A batch that failed is re-sent exactly as it was, same number and same
 * events, before anything newer: the server stores each number once, so a
 * batch whose answer was lost is not stored twice, and nothing new rides
 * along on a number the server may already have.
 * `close` flushes what is left and resolves only once it is stored, so
 * `complete` always comes after the last token.
 */
export class TokenBatcher {
  readonly #options: Required<Omit<TokenBatcherOptions, 'onError' | 'isFatal' | 'tickOffsetMs'>> &
    Pick<TokenBatcherOptions, 'onError' | 'isFatal' | 'tickOffsetMs'>;
  #pending: NodeEvent[] = [];
  /** A batch that failed, to be re-sent as is. */
  #unsent: EventBatch | undefined;
  #nextNumber = 1;
  #urgent = false;
  #firstTokenSeen = false;
  #lastSendAt: number | undefined;
  #sending: Promise<void> | undefined;
  #timer: TimerHandle | undefined;
  #failures = 0;
  #lastError: unknown;
  #fatalError: unknown;
  #closing = false;

  constructor(options: TokenBatcherOptions) {
    this.#options = { intervalMs: TOKEN_BATCH_INTERVAL_MS, ...options };
  }

  /** The error that stopped batching, if any. */
  get fatalError(): unknown {
    return this.#fatalError;
  }

  pushMeta(data: Record<string, unknown>): void {
    this.#enqueue({ event_type: 'meta', data }, true);
  }

  pushToken(text: string): void {
    if (text === '') return;
    const first = !this.#firstTokenSeen;
    this.#firstTokenSeen = true;
    this.#enqueue({ event_type: 'token', data: { text } }, first);
  }

  /** Sends everything still queued and waits for it. Rejects if the events could not be stored. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#clearTimer();
    if (this.#sending) await this.#sending;
    let failedAttempts = 0;
    while (this.#hasWork() && this.#fatalError === undefined) {
      const failuresBefore = this.#failures;
      await this.#startSend();
      if (this.#failures > failuresBefore) {
        failedAttempts += 1;
        if (failedAttempts >= CLOSE_ATTEMPTS) throw this.#lastError;
      }
    }
    if (this.#fatalError !== undefined) throw this.#fatalError;
  }

  /**
   * Drops what is not sent yet and sends nothing more, for a job that was
   * stopped. Resolves once a send in flight has settled; never rejects.
   */
  async discard(): Promise<void> {
    this.#closing = true;
    this.#clearTimer();
    this.#pending = [];
    this.#unsent = undefined;
    if (this.#sending) await this.#sending;
    this.#unsent = undefined;
  }

  #enqueue(event: NodeEvent, urgent: boolean): void {
    if (this.#closing || this.#fatalError !== undefined) return;
    this.#pending.push(event);
    if (urgent) this.#urgent = true;
    this.#schedule();
  }

  /** Sends now if the window allows, otherwise makes sure a timer will. */
  #schedule(): void {
    if (this.#sending || this.#closing || !this.#hasWork()) return;
    const now = this.#options.clock.now();
    const dueAt = this.#urgent || this.#lastSendAt === undefined ? now : this.#nextWindowAt();
    if (dueAt <= now) {
      this.#clearTimer();
      void this.#startSend();
    } else if (this.#timer === undefined) {
      this.#timer = this.#options.clock.setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, dueAt - now);
    }
  }

  /**
   * After a send that went well: the next tick of a grid every job on the
   * node shares (multiples of the interval on the clock, shifted by
   * `tickOffsetMs`), so the batches of
   * all its jobs fall due in the same instant and leave in one post
   * (EventUplink) rather than one each at scattered moments. Each job still
   * sends at most one batch per tick, and no token waits longer than an
   * interval. After failures: a growing pause from the last attempt.
   */
  #nextWindowAt(): number {
    const { intervalMs: interval, tickOffsetMs: offset = 0 } = this.#options;
    const lastSendAt = this.#lastSendAt ?? 0;
    if (this.#failures === 0) {
      return (Math.floor((lastSendAt - offset) / interval) + 1) * interval + offset;
    }
    return lastSendAt + Math.min(interval * 2 ** this.#failures, MAX_FAILURE_PAUSE_MS);
  }

  #hasWork(): boolean {
    return this.#unsent !== undefined || this.#pending.length > 0;
  }

  #startSend(): Promise<void> {
    const batch = this.#unsent ?? {
      number: this.#nextNumber++,
      events: this.#pending.splice(0, MAX_EVENTS_PER_BATCH),
      urgent: this.#urgent,
    };
    this.#unsent = undefined;
    this.#urgent = false;
    this.#lastSendAt = this.#options.clock.now();
    const sending = this.#options
      .send(batch)
      .then(
        () => {
          this.#failures = 0;
        },
        (error: unknown) => this.#handleFailure(batch, error),
      )
      .finally(() => {
        this.#sending = undefined;
        this.#schedule();
      });
    this.#sending = sending;
    return sending;
  }

  #handleFailure(batch: EventBatch, error: unknown): void {
    const fatal = this.#options.isFatal?.(error) ?? false;
    this.#lastError = error;
    if (fatal) {
      this.#fatalError = error;
      this.#pending = [];
    } else {
      // Re-sent first and unchanged, so the stream keeps its order and the number its meaning.
      this.#unsent = batch;
      this.#failures += 1;
    }
    this.#options.onError?.(error, fatal);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
