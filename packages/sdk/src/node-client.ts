import { publicKeyFromPrivateKey, signRequest } from '@infernet/auth';
import {
  AUTH_HEADER_NAME,
  LEASE_HEADER_NAME,
  CompleteResponseSchema,
  dataEnvelope,
  DeviceCodeResponseSchema,
  ERROR_TABLE,
  EventBatchesResponseSchema,
  EventsResponseSchema,
  isErrorCode,
  HeartbeatResponseSchema,
  LinkNodeResponseSchema,
  ListPaymentsResponseSchema,
  ListPayoutsResponseSchema,
  LONG_POLL_MAX_WAIT_SECONDS,
  MeResponseSchema,
  PollResponseSchema,
  RegisterResponseSchema,
  ReleaseResponseSchema,
  RemoveResponseSchema,
  SetPayoutResponseSchema,
  type CompleteRequest,
  type ListPaymentsResponse,
  type PayoutRow,
  type HeartbeatRequest,
  type JobEventBatch,
  type JobStatus,
  type NodeEvent,
  type NodeJob,
  type NodeRole,
  type NodeRow,
  type RegisterRequest,
} from '@infernet/protocol';
import type { Sleep } from './abort';
import { ApiError, InvalidResponseError, SdkError } from './errors';
import type { DeviceCode, NodeLink } from './node-login';
import {
  HttpTransport,
  type CallOptions,
  type FetchFunction,
  type OutgoingRequest,
} from './http-transport';
import { path } from './path';
import type { Infer, Schema } from './schema';

export interface NodeClientOptions {
  /** The control plane, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** The node's secp256k1 private key, 64 lowercase hex characters. Never sent anywhere. */
  privateKey: string;
  fetch?: FetchFunction | undefined;
  /** Wall clock in milliseconds, for `created_at` in each envelope. */
  now?: (() => number) | undefined;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
}

type WithOptionalRole<Body> = Omit<Body, 'role'> & { role?: NodeRole };

/** `register`'s body; `role` defaults to provider on the server. */
export type RegisterInput = WithOptionalRole<RegisterRequest>;
/** `heartbeat`'s body; `role` defaults to provider on the server. */
export type HeartbeatInput = WithOptionalRole<HeartbeatRequest>;

export interface PollOptions extends CallOptions {
  /** Jobs to claim at most: the node's free slots. 0 claims nothing (a lease keep-alive). */
  limit: number;
  /** Seconds the server may hold the request open while nothing is assigned (≤ 25). */
  wait: number;
  /** Ids of the jobs this node is running. The poll renews their leases and answers which to stop. */
  active?: readonly string[] | undefined;
}

export interface PollResult {
  provider_id: string;
  /** Newly claimed jobs, each with the `fencing_token` to echo on every later call about it. */
  jobs: NodeJob[];
  /** Of the `active` ids sent, those this node must stop: cancelled, or no longer held by it. */
  cancel: string[];
}

/** `postEvents`' body. */
export interface PostEventsInput {
  events: NodeEvent[];
  /** The claim's `fencing_token`, as `poll` handed it out. */
  fencing_token: number;
  /**
   * 1, 2, 3 … per claim. Re-send a failed batch with the same number (and the
   * same events): the server acknowledges a number it already stored without
   * storing it twice.
   */
  batch: number;
}

/** `postEvents`' options: `leaseToken` authenticates the batch instead of a signature. */
export interface PostEventsOptions extends CallOptions {
  /** The claim's `lease_token` from `poll`, when the server handed one out. */
  leaseToken?: string | undefined;
}

/** Sends the claim's lease token instead of a signature, when there is one. */
function leaseTokenAuthorization(leaseToken: string | undefined) {
  return leaseToken === undefined ? {} : { authorize: () => ({ [LEASE_HEADER_NAME]: leaseToken }) };
}

/** One job's outcome in `postEventBatches`: stored (`inserted` is 0 for a retry), or refused. */
export type JobEventBatchOutcome =
  | { jobId: string; ok: true; inserted: number }
  /** The same error `postEvents` would have thrown for this job alone (409 LEASE_LOST, say). */
  | { jobId: string; ok: false; error: ApiError };

/** `complete`'s body: the outcome plus the claim's `fencing_token`. */
export type CompleteInput = CompleteRequest & { fencing_token: number };

/** `release`'s body. */
export interface ReleaseInput {
  fencing_token: number;
  /** Why the node hands the job back, e.g. "node shutting down"; kept for operators. */
  reason?: string | undefined;
}

/** Slack on top of the long-poll wait, so the server, not our timer, ends an empty poll. */
const LONG_POLL_GRACE_MS = 15_000;

/**
 * The signed node API (`/api/v1/node/*`). Every attempt, retries included,
 * carries a freshly signed `X-Infernet-Auth` envelope: nonces are
 * single-use, so re-sending the first attempt's header would be refused as
 * a replay.
 *
 * @example
 * const node = new NodeClient({ baseUrl: 'http://localhost:3000', privateKey });
 * await node.register({ node_id: 'node-1a2b', specs });
 * const { jobs, cancel } = await node.poll({ limit: 2, wait: 25, active: runningJobIds });
 */
export class NodeClient {
  readonly publicKey: string;
  readonly #privateKey: string;
  readonly #now: () => number;
  readonly #transport: HttpTransport;

  constructor({ privateKey, now = Date.now, ...transportOptions }: NodeClientOptions) {
    try {
      this.publicKey = publicKeyFromPrivateKey(privateKey);
    } catch (error) {
      throw new SdkError('privateKey is not a valid secp256k1 private key (64 hex characters).', {
        cause: error,
      });
    }
    this.#privateKey = privateKey;
    this.#now = now;
    // Node's fetch also skips cloning each request body when redirects are refused.
    this.#transport = new HttpTransport({ ...transportOptions, redirect: 'error' });
  }

  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /** Creates or updates this node's row. An upsert on `node_id`, so retrying it is safe. */
  async register(
    body: RegisterInput,
    options: CallOptions = {},
  ): Promise<{ id: string; node_id: string }> {
    return this.#post(path`/api/v1/node/register`, body, RegisterResponseSchema, {
      ...options,
      idempotent: true,
    });
  }

  async heartbeat(body: HeartbeatInput = {}, options: CallOptions = {}): Promise<{ id: string }> {
    return this.#post(path`/api/v1/node/heartbeat`, body, HeartbeatResponseSchema, {
      ...options,
      idempotent: true,
    });
  }

  /** This key's row, or `null` when it has not registered. */
  async me(
    body: { role?: NodeRole } = {},
    options: CallOptions = {},
  ): Promise<{ row: NodeRow | null }> {
    return this.#post(path`/api/v1/node/me`, body, MeResponseSchema, {
      ...options,
      idempotent: true,
    });
  }

  async remove(
    body: { role?: NodeRole } = {},
    options: CallOptions = {},
  ): Promise<{ deleted: boolean; id?: string | undefined }> {
    return this.#post(path`/api/v1/node/remove`, body, RemoveResponseSchema, {
      ...options,
      idempotent: true,
    });
  }

  /**
   * Claims up to `limit` jobs, waiting up to `wait` seconds for one to
   * arrive, and renews the leases of the `active` jobs. A poll that may
   * claim is not idempotent (a lost answer leaves jobs leased to us until
   * the lease expires), so only errors the server marks retryable are
   * retried; `limit: 0` claims nothing, so it is retried like a read.
   */
  async poll({ limit, wait, active = [], signal }: PollOptions): Promise<PollResult> {
    const waitSeconds = Math.min(Math.max(wait, 0), LONG_POLL_MAX_WAIT_SECONDS);
    return this.#post(
      path`/api/v1/node/jobs/poll`,
      { limit, wait: waitSeconds, active },
      PollResponseSchema,
      {
        signal,
        idempotent: limit === 0,
        // The client must outwait the server's long poll, or every empty poll would time out.
        timeoutMs: waitSeconds * 1000 + LONG_POLL_GRACE_MS,
      },
    );
  }

  /**
   * Appends stream events (meta, token batches) to a job this node holds and
   * renews its lease. Retried like a read: every attempt carries the same
   * `batch` number, which the server stores at most once. With the claim's
   * `leaseToken` the batch goes unsigned (`X-Infernet-Lease`): the server
   * verified this node once, on the signed poll that handed the token out,
   * and a signature per batch would cost it a Schnorr check each time.
   */
  async postEvents(
    jobId: string,
    body: PostEventsInput,
    options: PostEventsOptions = {},
  ): Promise<{ inserted: number }> {
    const { leaseToken, ...callOptions } = options;
    return this.#post(path`/api/v1/node/jobs/${jobId}/events`, body, EventsResponseSchema, {
      ...callOptions,
      idempotent: true,
      ...leaseTokenAuthorization(leaseToken),
    });
  }

  /**
   * Token batches for several jobs in one request, each authenticated by its
   * claim's lease token instead of a signature. Each job's outcome comes
   * back on its own, in order: a lost lease or a cancel refuses that job's
   * batch only. Retried like a read: a batch number already stored is
   * acknowledged again, not stored twice.
   */
  async postEventBatches(
    batches: JobEventBatch[],
    options: CallOptions = {},
  ): Promise<JobEventBatchOutcome[]> {
    const { results } = await this.#post(
      path`/api/v1/node/events`,
      { batches },
      EventBatchesResponseSchema,
      { ...options, idempotent: true, authorize: () => ({}) },
    );
    if (
      results.length !== batches.length ||
      results.some((result, index) => result.job_id !== batches[index]!.job_id)
    ) {
      throw new InvalidResponseError('The control plane answered for other jobs than were sent.');
    }
    return results.map((result): JobEventBatchOutcome => {
      if (!result.error) return { jobId: result.job_id, ok: true, inserted: result.inserted ?? 0 };
      const { code, message } = result.error;
      const status = isErrorCode(code) ? ERROR_TABLE[code].httpStatus : 500;
      const error = ApiError.generate({
        status,
        code,
        message,
        requestId: null,
        headers: new Headers(),
      });
      return { jobId: result.job_id, ok: false, error };
    });
  }

  /**
   * Finishes a job. The server treats a repeat as a no-op, so it is retried
   * like a read. With `leaseToken` (the claim's, from `poll`) it goes
   * unsigned, authenticated by the token as token batches are.
   */
  async complete(
    jobId: string,
    body: CompleteInput,
    options: PostEventsOptions = {},
  ): Promise<{ id: string; status: JobStatus }> {
    const { leaseToken, ...callOptions } = options;
    return this.#post(path`/api/v1/node/jobs/${jobId}/complete`, body, CompleteResponseSchema, {
      ...callOptions,
      idempotent: true,
      ...leaseTokenAuthorization(leaseToken),
    });
  }

  /**
   * Hands a held job back, e.g. when draining for a shutdown. The server
   * queues it again if no token reached the consumer yet, else fails it.
   * Retrying is harmless: a repeat carries the same fencing token, so it can
   * never release a later claim of the job; at worst it is refused with 409.
   */
  async release(
    jobId: string,
    body: ReleaseInput,
    options: CallOptions = {},
  ): Promise<{ id: string; status: JobStatus }> {
    return this.#post(path`/api/v1/node/jobs/${jobId}/release`, body, ReleaseResponseSchema, {
      ...options,
      idempotent: true,
    });
  }

  /**
   * Sets where this node is paid in `coin` (an id from the coin list, e.g.
   * `USDC_BASE`), replacing the address it had for that coin. The server
   * checks the address format and answers 400 naming what it accepts.
   */
  async setPayout(
    body: { coin: string; address: string },
    options: CallOptions = {},
  ): Promise<{ payout: PayoutRow }> {
    return this.#post(path`/api/v1/node/payouts/set`, body, SetPayoutResponseSchema, {
      ...options,
      idempotent: true,
    });
  }

  /** This node's payout addresses, one per coin. */
  async listPayouts(options: CallOptions = {}): Promise<{ payouts: PayoutRow[] }> {
    return this.#post(path`/api/v1/node/payouts/list`, {}, ListPayoutsResponseSchema, {
      ...options,
      idempotent: true,
    });
  }

  /** This node's recent earnings (newest first, at most `limit`, default 50) and its balance. */
  async listPayments(
    body: { limit?: number } = {},
    options: CallOptions = {},
  ): Promise<ListPaymentsResponse> {
    return this.#post(path`/api/v1/node/payments/list`, body, ListPaymentsResponseSchema, {
      ...options,
      idempotent: true,
    });
  }

  /**
   * Links this node to the account that minted `deployToken` (`infd_…`).
   * The node's key signs the request and the token rides in
   * `Authorization`; the token is sent nowhere else. An unknown, expired or
   * revoked token is `401 DEPLOY_TOKEN_INVALID`. Linking again to the same
   * account is harmless, so it is retried like a read.
   */
  async linkWithDeployToken(deployToken: string, options: CallOptions = {}): Promise<NodeLink> {
    const { data } = await this.#transport.requestJson(
      {
        method: 'POST',
        path: path`/api/nodes/link`,
        body: {},
        authorize: (request) => ({
          ...this.#sign(request),
          authorization: `Bearer ${deployToken}`,
        }),
        idempotent: true,
        signal: options.signal,
      },
      LinkNodeResponseSchema,
    );
    return data;
  }

  /**
   * Starts a device sign-in: the operator opens `verification_uri_complete`
   * and approves `user_code`, while this node calls `redeemDeviceCode` every
   * `interval` seconds. The node must be registered first.
   */
  async requestDeviceCode(options: CallOptions = {}): Promise<DeviceCode> {
    const { data } = await this.#transport.requestJson(
      {
        method: 'POST',
        path: path`/api/nodes/device-code`,
        body: {},
        authorize: (request) => this.#sign(request),
        // A lost answer leaves an unused code behind, which simply expires.
        idempotent: true,
        signal: options.signal,
      },
      DeviceCodeResponseSchema,
    );
    return data;
  }

  /**
   * Redeems an approved device code: the node is now linked. Before approval
   * it rejects with an `ApiError` whose code is `DEVICE_CODE_PENDING`; a
   * denial is `DEVICE_CODE_DENIED`, a lapsed code `DEVICE_CODE_EXPIRED`.
   * Never retried: each call is one of the caller's polls.
   */
  async redeemDeviceCode(deviceCode: string, options: CallOptions = {}): Promise<NodeLink> {
    const { data } = await this.#transport.requestJson(
      {
        method: 'POST',
        path: path`/api/nodes/device-token`,
        body: { device_code: deviceCode },
        authorize: (request) => this.#sign(request),
        idempotent: true,
        // The caller polls at the server's interval; a pending answer must reach it, not a retry.
        maxRetries: 0,
        signal: options.signal,
      },
      LinkNodeResponseSchema,
    );
    return data;
  }

  async #post<S extends Schema>(
    route: string,
    body: unknown,
    schema: S,
    options: {
      signal?: AbortSignal | undefined;
      idempotent: boolean;
      timeoutMs?: number;
      /** Replaces the signature; the default signs every attempt. */
      authorize?: (request: OutgoingRequest) => Record<string, string>;
    },
  ): Promise<Infer<S>> {
    const { signal, idempotent, timeoutMs } = options;
    const envelope = await this.#transport.requestJson(
      {
        method: 'POST',
        path: route,
        body,
        authorize: options.authorize ?? ((request) => this.#sign(request)),
        idempotent,
        signal,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      },
      dataEnvelope(schema),
    );
    // Successful node API answers are always `{ data: … }`.
    return (envelope as { data: unknown }).data as Infer<S>;
  }

  #sign(request: OutgoingRequest): Record<string, string> {
    const { header } = signRequest({
      method: request.method,
      path: request.pathWithQuery,
      body: request.body,
      privateKey: this.#privateKey,
      createdAt: Math.floor(this.#now() / 1000),
    });
    return { [AUTH_HEADER_NAME]: header };
  }
}
