import type {
  ChatInputSpec,
  EmbeddingInputSpec,
  JobResult,
  JobStatus,
  ModelSummary,
  NodeEvent,
  NodeRole,
  NodeSpecs,
  NodeStatus,
} from '@infernet/protocol';
import type { Dialect } from 'kysely';
import type { AccountQueries, ContentRetentionQueries } from './account-types';
import type { DashboardQueries } from './dashboard';
import type { DeployTokenQueries } from './deploy-tokens';
import type { DeviceCodeQueries } from './device-codes';

/** One row per public key. Timestamps are Date objects; the server formats them. */
export interface ProviderRecord {
  id: string;
  publicKey: string;
  nodeId: string;
  role: NodeRole;
  name: string | null;
  status: NodeStatus;
  address: string | null;
  port: number | null;
  gpuModel: string | null;
  price: number | null;
  specs: NodeSpecs;
  /** False: the operator keeps the node out of the public lists. */
  listed: boolean;
  lastSeenAt: Date | null;
  createdAt: Date;
}

export interface RegisterProviderInput {
  publicKey: string;
  nodeId: string;
  role: NodeRole;
  name: string | null;
  status: NodeStatus;
  address: string | null;
  port: number | null;
  gpuModel: string | null;
  price: number | null;
  /** Already sanitised by the caller with `sanitizeNodeSpecs`. */
  specs: NodeSpecs;
  /** Whether the node appears in the public lists; default true. */
  listed?: boolean;
}

export type RegisterProviderResult =
  | { ok: true; provider: ProviderRecord }
  /** The node_id already belongs to a different public key. */
  | { ok: false; reason: 'node_id_taken' };

export interface HeartbeatInput {
  status: NodeStatus;
  /** `undefined` leaves the stored value; `null` clears it. */
  address: string | null | undefined;
  port: number | null | undefined;
  specs: NodeSpecs | undefined;
}

export interface RemoveProviderResult {
  deleted: boolean;
  id?: string;
  /** Models of the jobs that went back to the queue, each once: wake-ups to publish. */
  requeuedModels: string[];
  /** Jobs that failed because the provider left: their readers need waking. */
  failedJobIds: string[];
}

export interface ProviderQueries {
  /** Insert or update the row owned by `publicKey`; a key owns at most one row. */
  register(input: RegisterProviderInput): Promise<RegisterProviderResult>;
  /** Refreshes last_seen; returns null when the key has no row. */
  heartbeat(publicKey: string, input: HeartbeatInput): Promise<ProviderRecord | null>;
  findByPublicKey(publicKey: string): Promise<ProviderRecord | null>;
  findById(id: string): Promise<ProviderRecord | null>;
  /**
   * Deletes the key's row; its finished jobs keep their history with provider_id set to null.
   * Jobs it still holds are released in the same transaction: `assigned` ones (nothing
   * streamed yet) go back to the queue, `running` ones fail with a terminal `error` event.
   */
  remove(publicKey: string): Promise<RemoveProviderResult>;
  /** All providers (only the listed ones with `listedOnly`), newest heartbeat first. */
  list(options: { limit: number; listedOnly?: boolean }): Promise<ProviderRecord[]>;
  /** Models served by providers whose last heartbeat is within `livenessSeconds` and that are not offline. */
  servedModels(options: { livenessSeconds: number }): Promise<ModelSummary[]>;
}

/** What a job asks for: its type, and the input of that type. */
export type JobPayload =
  { type: 'chat'; input: ChatInputSpec } | { type: 'embedding'; input: EmbeddingInputSpec };

export type JobRecord = JobRecordFields & JobPayload;

export interface JobRecordFields {
  id: string;
  status: JobStatus;
  model: string;
  title: string;
  providerId: string | null;
  /** SHA-256 hex of the per-job stream token; the token itself is never stored. */
  streamTokenHash: string;
  fencingToken: number;
  attempts: number;
  leaseExpiresAt: Date | null;
  result: JobResult | null;
  error: string | null;
  /** Token events stored for the consumer: what is billed. */
  deliveredTokens: number;
  firstTokenAt: Date | null;
  createdAt: Date;
  assignedAt: Date | null;
  completedAt: Date | null;
  /** The account that created the job (API key or session); null for an anonymous job. */
  ownerAccountId: string | null;
  /** When retention deleted its prompt and output; the metadata stays. */
  contentDeletedAt: Date | null;
  /** A job still queued then fails with QUEUE_TIMEOUT; null: it waits as long as it takes. */
  queueDeadlineAt: Date | null;
  /**
   * Only on jobs just returned by `claim`: the bearer token for this claim's
   * event posts. The database keeps only its hash.
   */
  leaseToken?: string;
}

export interface CreateChatJobInput {
  model: string;
  title: string;
  input: ChatInputSpec;
  streamTokenHash: string;
  /**
   * When set, the job is created only if a provider that heartbeated within
   * this many seconds, and is not offline, serves the model.
   */
  requireLiveProviderWithinSeconds?: number;
  /** The account creating the job; absent or null for an anonymous job. */
  ownerAccountId?: string | null;
}

export interface SubmitChatJobInput extends CreateChatJobInput {
  /** Nodes that heartbeated within this many seconds, and are not offline, count as capacity. */
  requireLiveProviderWithinSeconds: number;
  /** Refused (`queue_full`) when this many jobs of the model already wait. */
  maxQueuedPerModel: number;
  /** Still queued this many seconds later, the job fails with QUEUE_TIMEOUT. */
  queueDeadlineSeconds: number;
  /**
   * A provider whose long poll waits for this model right now: the job is
   * handed to it, already claimed (status `assigned`, with a lease token),
   * unless older jobs of the model wait; then it is queued as usual.
   */
  handOffTo?: { providerId: string; leaseSeconds: number };
}

export type SubmitChatJobResult =
  /**
   * Queued (`queuedAhead` jobs of the model were waiting before it), or
   * handed to `handOffTo`: then its status is `assigned` and it carries its
   * `leaseToken`.
   */
  | { ok: true; job: JobRecord; queuedAhead: number }
  /** No live node serves the model: nothing was stored. */
  | { ok: false; reason: 'no_capacity' }
  /** Nodes serve it but its queue is full: nothing was stored. */
  | { ok: false; reason: 'queue_full'; queued: number };

export interface CreateFallbackChatJobInput extends CreateChatJobInput {
  leaseSeconds: number;
  /** Used only if the job goes back to the queue (its server copy died before the first token). */
  queueDeadlineSeconds: number;
}

/** What a queued job's stream shows: how far it is from the front and what to expect. */
export interface QueueEstimate {
  /** Jobs of the model queued before this one (all of them, for `queueEstimate` without a job). */
  ahead: number;
  /** Live nodes serving the model. */
  nodes: number;
  /** Mean seconds from claim to completion over the model's latest completions; null without any. */
  recentJobSeconds: number | null;
}

export interface CreateEmbeddingJobInput {
  model: string;
  title: string;
  input: EmbeddingInputSpec;
  streamTokenHash: string;
  /** As for chat: created only if a live provider serves the model. */
  requireLiveProviderWithinSeconds?: number;
  ownerAccountId?: string | null;
}

export interface ClaimInput {
  providerId: string;
  models: readonly string[];
  limit: number;
  leaseSeconds: number;
}

/** Why a node's write to a job was refused. */
export type JobWriteFailure =
  | 'not_found'
  /** Held by another provider, and this one never presented a fencing token for it. */
  | 'not_owner'
  /** Queued or finished: nothing to write to. */
  | 'not_active'
  /** The fencing token is not the current one, or the lease was taken back. */
  | 'lease_lost'
  /** The consumer cancelled the job. */
  | 'cancelled';

export interface CompleteJobInput {
  jobId: string;
  /** The signed writer's provider row; null when `leaseToken` stands in for a signature. */
  providerId: string | null;
  /** The claim's lease token: its holder writes when it is the current one, nobody otherwise. */
  leaseToken?: string;
  /** The token from the claim; when given it must be the current one. */
  fencingToken?: number;
  status: 'completed' | 'failed';
  result: JobResult | null;
  error: string | null;
  /**
   * Earning rate per million billed tokens as a decimal string, e.g. "0.5";
   * "0" is allowed and the default. A completed job posts exactly one
   * earning: billed tokens × rate / 1e6.
   */
  pricePerMillionTokens?: string;
  /** Per-model rates that override `pricePerMillionTokens` for the job's model. */
  modelPrices?: Record<string, string>;
}

export type CompleteJobResult =
  { ok: true; job: JobRecord; changed: boolean } | { ok: false; reason: JobWriteFailure };

export interface ReleaseJobInput {
  jobId: string;
  providerId: string;
  fencingToken?: number;
  reason: string;
}

export type ReleaseJobResult =
  | { ok: true; job: JobRecord; outcome: 'requeued' | 'failed' | 'unchanged' }
  | { ok: false; reason: JobWriteFailure };

export interface LeaseSweepResult {
  /** Jobs whose lease expired before any token: back in the queue. */
  requeued: number;
  /** Jobs whose lease expired after streaming began, or out of attempts: failed with a reason. */
  failed: number;
  /** Models of the re-queued jobs, each once, so a caller can wake nodes waiting for them. */
  requeuedModels: string[];
  /** Ids of the failed jobs, so a caller can wake their readers. */
  failedJobIds: string[];
}

export interface JobCounts {
  queued: number;
  running: number;
  completed: number;
  failed: number;
}

export interface JobQueries {
  /**
   * Inserts a queued job and notifies waiting nodes (`jobAvailable`) in one
   * statement; null when `requireLiveProviderWithinSeconds` is set and no
   * live provider serves the model.
   */
  createChat(input: CreateChatJobInput): Promise<JobRecord | null>;
  /** Queues an embedding job on the same queue, with the same capacity check as `createChat`. */
  createEmbedding(input: CreateEmbeddingJobInput): Promise<JobRecord | null>;
  /**
   * The consumer's submit, in one statement: checks that a live node serves
   * the model and that its queue has room, inserts the job with its queue
   * deadline, and notifies waiting nodes. Concurrent submits may each see the
   * last free place, so the bound can be passed by the submits of one instant.
   */
  submitChat(input: SubmitChatJobInput): Promise<SubmitChatJobResult>;
  /**
   * A job the control plane answers itself through the NVIDIA NIM fallback:
   * inserted already assigned to the reserved `NIM_FALLBACK_PROVIDER` row,
   * with a lease, fencing token 1 and a lease token (returned once). Its
   * events are appended with that lease token, and it is completed as that
   * provider with the fencing token, by the ordinary queries. Never offered
   * to nodes while held.
   */
  createFallbackChat(
    input: CreateFallbackChatJobInput,
  ): Promise<JobRecord & { leaseToken: string }>;
  /**
   * Fails queued jobs whose deadline passed, each with a terminal `error`
   * event (code QUEUE_TIMEOUT); safe from several server copies (SKIP LOCKED).
   */
  expireQueueDeadlines(input?: { limit?: number }): Promise<{ jobIds: string[] }>;
  /**
   * Where a queued job stands (`jobId`), or a model's queue as a whole:
   * jobs ahead, live nodes serving the model, recent job duration.
   */
  queueEstimate(input: {
    model: string;
    jobId?: string;
    livenessSeconds: number;
  }): Promise<QueueEstimate>;
  /**
   * One atomic statement (`FOR NO KEY UPDATE SKIP LOCKED`): moves up to `limit` queued
   * jobs whose model is in `models` to `assigned` for this provider, sets the
   * lease, increments the fencing token. A job is never returned to two callers.
   */
  claim(input: ClaimInput): Promise<JobRecord[]>;
  findById(id: string): Promise<JobRecord | null>;
  /**
   * Finishes a job held by `providerId`, writing the terminal stream event
   * (`done` with text/usage, or `error`) in the same transaction. Repeating a
   * completion of an already-finished job by its provider returns `changed: false`.
   */
  complete(input: CompleteJobInput): Promise<CompleteJobResult>;
  counts(): Promise<JobCounts>;
  /**
   * Hands a held job back: queued again at once (without spending an attempt)
   * when no token was stored yet, failed with code NODE_SHUTDOWN otherwise.
   */
  release(input: ReleaseJobInput): Promise<ReleaseJobResult>;
  /** Cancels an unfinished job and writes its terminal `error` event (code CANCELLED). */
  cancel(
    jobId: string,
    reason: string,
  ): Promise<{ ok: true; job: JobRecord; changed: boolean } | { ok: false; reason: 'not_found' }>;
  /**
   * Extends the leases of jobs the provider holds (all of them, or those in
   * `jobIds`) and returns the ids in `jobIds` it no longer holds (cancelled,
   * re-queued, re-assigned or finished): the node must stop those.
   */
  renewLeases(input: {
    providerId: string;
    jobIds?: readonly string[];
    leaseSeconds: number;
  }): Promise<{ lost: string[] }>;
  /**
   * Takes back jobs whose lease expired; safe to run from several server
   * copies at once (SKIP LOCKED). Before the first token a job is queued again,
   * unless it already had `maxAttempts` claims; after it, the job fails.
   */
  expireLeases(input: { maxAttempts: number; limit?: number }): Promise<LeaseSweepResult>;
  /** Counts SSE readers across server copies: +1 on connect, -1 on disconnect. */
  trackReader(jobId: string, change: 1 | -1): Promise<void>;
  /** Cancels unfinished jobs whose last reader left more than `graceSeconds` ago; returns which. */
  cancelAbandoned(input: { graceSeconds: number }): Promise<{ count: number; jobIds: string[] }>;
}

/** One side of a ledger transfer: the credit (amount ≥ 0) or the debit (amount ≤ 0). */
export interface LedgerEntry {
  transferId: string;
  kind: 'job_earning';
  jobId: string;
  account: string;
  /** Decimal string, exact. */
  amount: string;
  createdAt: Date;
}

export interface LedgerQueries {
  /** Sum of the account's entries as an exact decimal string ("0" when none). */
  balance(account: string): Promise<string>;
  entriesForJob(jobId: string): Promise<LedgerEntry[]>;
  /** The account's entries, newest first, at most `limit`. */
  recentEntries(account: string, limit: number): Promise<LedgerEntry[]>;
}

/** Where a provider wants one coin paid out (see protocol's payout-coins). */
export interface PayoutRecord {
  providerId: string;
  /** A coin id such as `USDC_BASE`. */
  coin: string;
  address: string;
  createdAt: Date;
  /** When the address last changed; setting the same address again keeps it. */
  updatedAt: Date;
}

export interface PayoutQueries {
  /** Sets the provider's address for `coin`, replacing the one it had. */
  set(input: { providerId: string; coin: string; address: string }): Promise<PayoutRecord>;
  /** The provider's payout addresses, by coin id. */
  list(providerId: string): Promise<PayoutRecord[]>;
}

export interface StoredEvent {
  jobId: string;
  /** Per-job sequence, 1, 2, 3 …: the SSE `id:`. */
  seq: number;
  type: 'job' | 'meta' | 'token' | 'done' | 'error';
  data: Record<string, unknown>;
  createdAt: Date;
}

export type AppendEventsResult =
  { ok: true; inserted: number; duplicate: boolean } | { ok: false; reason: JobWriteFailure };

export interface AppendEventsOptions {
  fencingToken?: number;
  /** Batch number under the current claim; a number already accepted is a duplicate. */
  batch?: number;
  /** Storing events renews the lease by this much (default DEFAULT_LEASE_SECONDS). */
  leaseSeconds?: number;
  /**
   * The claim's lease token (from `claim`): proves the writer holds the
   * current claim, in place of `providerId`, which may then be null.
   */
  leaseToken?: string;
}

export interface EventQueries {
  /**
   * Appends node-posted events to a job the provider holds; `meta` and `token`
   * are stored (the first one moves the job from `assigned` to `running`),
   * `done`/`error` from nodes are ignored because `complete` writes the terminal
   * event. Sequence numbers are taken under the job row lock so they commit in
   * order. Notifies `jobEvents` once per call; this process's own listeners
   * get the stored rows with it.
   */
  append(
    jobId: string,
    providerId: string | null,
    events: readonly NodeEvent[],
    options?: AppendEventsOptions,
  ): Promise<AppendEventsResult>;
  /**
   * `append` for several jobs' batches at once (one job at most once): they
   * share one statement, and each gets its own result, in order.
   */
  appendMany(requests: readonly AppendRequest[]): Promise<AppendEventsResult[]>;
  /**
   * Events with seq > afterSeq in order, at most `limit`. With `countReader`,
   * the same statement also counts one more reader of the job, as
   * `jobs.trackReader(jobId, 1)` does: an SSE reader's first read.
   */
  listAfter(
    jobId: string,
    afterSeq: number,
    limit: number,
    options?: { countReader?: boolean },
  ): Promise<StoredEvent[]>;
}

/** One job's batch for `appendMany`: `append`'s arguments. */
export interface AppendRequest {
  jobId: string;
  providerId: string | null;
  events: readonly NodeEvent[];
  options?: AppendEventsOptions;
}

export interface ReplayStore {
  /**
   * Records (pubkey, nonce) until `expiresAt`; false when the pair was already recorded
   * and has not expired (by the database clock). Atomic across server copies.
   */
  remember(publicKey: string, nonce: string, expiresAt: Date): Promise<boolean>;
  /** Deletes expired rows; returns how many. */
  prune(now: Date): Promise<number>;
}

/** A rate-limit counter: what its current window has counted so far. */
export interface RateLimitCounter {
  points: number;
  /** Until the window ends, by the database clock; -1 when it never ends. */
  msBeforeReset: number;
}

/**
 * Fixed-window request counters shared by every server copy, keyed by
 * limiter and identity (the server's rate limiters are built on these).
 */
export interface RateLimitQueries {
  /**
   * Adds `points` (negative to give back) to the key's counter in one atomic
   * statement and returns the total. When the window has ended, or with
   * `restart`, a new one of `windowMs` starts from `points` (0: it never ends).
   */
  add(
    key: string,
    points: number,
    windowMs: number,
    options?: { restart?: boolean },
  ): Promise<RateLimitCounter>;
  /** The counter of a window still running, or null. */
  get(key: string): Promise<RateLimitCounter | null>;
  /** Forgets the key; false when there was nothing to forget. */
  delete(key: string): Promise<boolean>;
  /** Deletes counters whose window ended; returns how many. */
  prune(): Promise<number>;
}

export type Unsubscribe = () => void;

export type JobEventsListener = (jobId: string, stored?: readonly StoredEvent[]) => void;

/**
 * Cross-process wake-ups over LISTEN/NOTIFY. Listeners run in this process;
 * notifications come from any process sharing the database. A Database opened
 * with `listen: false` delivers none: another transport (the server's Redis
 * option) feeds its own `Notifications` instead.
 *
 * When the listening connection to PostgreSQL drops, notifications sent
 * meanwhile are lost; after it reconnects every listener is called once with
 * the wildcard `'*'` (as the model for `onJobAvailable`, as the job id for
 * `onJobEvents`), meaning "anything may have changed: re-check". Real model
 * names and job ids never equal `'*'`.
 */
export interface Notifications {
  /** A job for `model` became claimable. */
  onJobAvailable(listener: (model: string) => void): Unsubscribe;
  /**
   * New events were stored for `jobId`. When this process stored them, the
   * listener also gets the stored rows (`stored`, in sequence order), so a
   * reader need not read them back; from other processes it gets the job id only.
   */
  onJobEvents(listener: JobEventsListener): Unsubscribe;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly providers: ProviderQueries;
  readonly jobs: JobQueries;
  readonly events: EventQueries;
  readonly replay: ReplayStore;
  readonly rateLimits: RateLimitQueries;
  readonly ledger: LedgerQueries;
  readonly payouts: PayoutQueries;
  readonly notifications: Notifications;
  readonly accounts: AccountQueries;
  readonly deployTokens: DeployTokenQueries;
  readonly deviceCodes: DeviceCodeQueries;
  readonly retention: ContentRetentionQueries;
  /** The operator's and account's views, and the network's throughput. */
  readonly dashboard: DashboardQueries;
  /** A Kysely dialect over these same connections, for the auth library. */
  readonly kyselyDialect: Dialect;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent, embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; absent means in-memory (tests). */
  dataDirectory?: string | undefined;
  /**
   * Default true: hold a LISTEN connection that feeds `notifications`. False
   * when another transport carries the wake-ups: no LISTEN connection is
   * opened and `notifications` delivers nothing. The SQL calls pg_notify
   * either way.
   */
  listen?: boolean | undefined;
  /** PostgreSQL connections per process (default 20). */
  poolSize?: number | undefined;
}
