import { MAX_JOB_BATCHES_PER_POST, type JobEventBatch } from '@infernet/protocol';
import {
  NotFoundError,
  UserAbortError,
  type NodeClient,
  type PostEventsInput,
} from '@infernetprotocol/sdk/node';

export interface EventUplinkOptions {
  client: Pick<NodeClient, 'postEventBatches' | 'postEvents'>;
  /** Posts in flight at once; more batches wait and go out together with the next. */
  maxInFlight?: number;
}

interface Pending {
  batch: JobEventBatch;
  urgent: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Set once resolved or rejected; the caller may have given up first (its signal aborted). */
  settled: boolean;
  /** Unhooks the caller's signal once settled. */
  release: () => void;
}

/**
 * Two posts in flight: under load each post still carries many batches.
 * Urgent batches (a job's meta event and first token) do not wait for
 * either to finish.
 */
const DEFAULT_MAX_IN_FLIGHT = 2;

/**
 * Carries the token batches of every job this node runs: batches that are
 * ready while a post is in flight go out together in the next one
 * (`POST /api/v1/node/events`), so a node streaming for dozens of jobs sends
 * a few requests per flush interval instead of one per job, and the control
 * plane stores them in one statement. An idle node still sends a batch at
 * the end of the turn it is ready in. An urgent batch (`urgent`: a job's
 * meta event or first token, which the consumer is waiting for) goes out at
 * the end of its turn even when every post is in flight: on a busy node it
 * would otherwise wait behind the posts of other jobs' ticks, adding their
 * round trips to time to first token. It goes without the batches waiting
 * for a post: a tick's worth of them made its statement about twice as
 * slow (traced at 50 steady streams).
 *
 * Each job's batch keeps its own outcome: `send` resolves once it is stored
 * and rejects with the error a single-job post would have raised (409
 * LEASE_LOST, say). A failed post rejects every batch in it; each job's
 * TokenBatcher re-sends its batch, with the same number, as before.
 * Against a control plane that predates the shared route (404), and for a
 * job without a lease token, batches go one per job (`postEvents`).
 */
export class EventUplink {
  readonly #client: EventUplinkOptions['client'];
  readonly #maxInFlight: number;
  readonly #queue: Pending[] = [];
  #inFlight = 0;
  #pumpScheduled = false;
  #singleJobPosts = false;

  constructor(options: EventUplinkOptions) {
    this.#client = options.client;
    this.#maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }

  /** Sends one job's batch; resolves once the control plane stored it (or had already). */
  send(
    jobId: string,
    body: PostEventsInput,
    options: {
      leaseToken?: string | undefined;
      signal?: AbortSignal | undefined;
      urgent?: boolean | undefined;
    } = {},
  ): Promise<void> {
    const { leaseToken, signal } = options;
    if (this.#singleJobPosts || leaseToken === undefined) {
      return this.#postAlone(jobId, body, { leaseToken, signal });
    }
    if (signal?.aborted) return Promise.reject(new UserAbortError());
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const waiting = this.#queue.indexOf(pending);
        if (waiting !== -1) this.#queue.splice(waiting, 1);
        this.#settle(pending, () => reject(new UserAbortError()));
      };
      const pending: Pending = {
        batch: { job_id: jobId, lease_token: leaseToken, ...body },
        urgent: options.urgent ?? false,
        resolve,
        reject,
        settled: false,
        release: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(pending);
      this.#schedulePump();
    });
  }

  /**
   * Posts go out at the end of the event-loop turn, so every batch handed
   * over in it shares one: the jobs' batchers fall due on the same tick and
   * their timers fire one after another within a turn. An idle node's
   * first token waits only for the turn to end.
   */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const group =
        this.#inFlight < this.#maxInFlight
          ? this.#queue.splice(0, MAX_JOB_BATCHES_PER_POST)
          : this.#takeUrgent();
      if (group.length === 0) return;
      this.#inFlight += 1;
      void this.#post(group).finally(() => {
        this.#inFlight -= 1;
        this.#schedulePump();
      });
    }
  }

  /** The urgent batches, oldest first, out of the queue; the others keep their places. */
  #takeUrgent(): Pending[] {
    const urgent = this.#queue
      .filter((pending) => pending.urgent)
      .slice(0, MAX_JOB_BATCHES_PER_POST);
    for (const pending of urgent) this.#queue.splice(this.#queue.indexOf(pending), 1);
    return urgent;
  }

  async #post(group: Pending[]): Promise<void> {
    try {
      const outcomes = await this.#client.postEventBatches(group.map((pending) => pending.batch));
      outcomes.forEach((outcome, index) => {
        const pending = group[index]!;
        this.#settle(pending, () =>
          outcome.ok ? pending.resolve() : pending.reject(outcome.error),
        );
      });
    } catch (error) {
      if (error instanceof NotFoundError && error.code === 'NOT_FOUND') {
        // An older control plane: this batch and every later one go one job at a time.
        this.#singleJobPosts = true;
        await Promise.all(
          group.map(async (pending) => {
            const { job_id: jobId, lease_token: leaseToken, ...body } = pending.batch;
            try {
              await this.#postAlone(jobId, body, { leaseToken });
              this.#settle(pending, pending.resolve);
            } catch (failure) {
              this.#settle(pending, () => pending.reject(failure));
            }
          }),
        );
        return;
      }
      for (const pending of group) this.#settle(pending, () => pending.reject(error));
    }
  }

  /** One job's batch in a post of its own (`jobs/:id/events`), signed when it has no lease token. */
  async #postAlone(
    jobId: string,
    body: PostEventsInput,
    options: { leaseToken?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<void> {
    await this.#client.postEvents(jobId, body, options);
  }

  #settle(pending: Pending, settle: () => void): void {
    if (pending.settled) return;
    pending.settled = true;
    pending.release();
    settle();
  }
}
