import type { Database, StoredEvent } from '@infernet/db';
import type { ReplayStore } from '@infernet/auth';
import type { Auth } from './accounts/auth';
import type { CloudDeploy } from './cloud-deploy';
import type { ChatFallback } from './fallback/nim-fallback';
import type { Identity } from './limits/identity';
import type { Limits } from './limits/limits';
import type { Logger } from './logger';
import type { Pricing } from './pricing';
import type { TopicHub } from './realtime/topic-hub';
import type { WaitingPolls } from './waiting-polls';

export interface ServerDependencies {
  db: Database;
  logger: Logger;
  /** Unix milliseconds; injected so tests can move time. */
  now: () => number;
  replayStore: ReplayStore;
  /** Wakes long-polling nodes: topic = model name. */
  jobAvailability: TopicHub;
  /** Long polls parked on this copy, which a chat submitted here is handed to directly. */
  waitingPolls: WaitingPolls;
  /** Wakes SSE readers: topic = job id. */
  jobEvents: TopicHub<readonly StoredEvent[]>;
  livenessSeconds: number;
  leaseSeconds: number;
  pricing: Pricing;
  /** Requested model name → served model name (INFERNET_MODEL_ALIASES). */
  modelAliases: ReadonlyMap<string, string>;
  keepAliveMs: number;
  /** A parked long poll re-checks the queue this often even without a notification. */
  pollRecheckMs: number;
  /** Rate, stream and message limits (INFERNET_RATE_LIMIT_*, INFERNET_MAX_*). */
  limits: Limits;
  /**
   * INFERNET_PUBLIC_URL when it is set: where nodes reach this control plane
   * (cloud-init scripts, device sign-in links). Unset: each request's origin.
   */
  publicUrl: string | undefined;
  /** Accounts and sessions (better-auth) on this database. */
  auth: Auth;
  /** The bound and deadline of each model's queue (INFERNET_QUEUE_*). */
  queue: QueueSettings;
  /** Answers chat jobs no node can take (NVIDIA_NIM_API_KEY set), or null. */
  chatFallback: ChatFallback | null;
  /** The dashboard's static export (INFERNET_DASHBOARD_DIR); unset: no dashboard pages. */
  dashboardDirectory?: string | undefined;
  /** One-click launches on users' own clouds (RunPod): the adapters and the image they run. */
  cloudDeploy: CloudDeploy;
}

export interface QueueSettings {
  /** Jobs one model's queue holds while its nodes are busy; the next is refused (QUEUE_FULL). */
  maxPerModel: number;
  /** A job no node took this long after it was queued fails (QUEUE_TIMEOUT). */
  deadlineSeconds: number;
}

/** Typed Hono context variables set by middleware and read by handlers. */
export interface AppVariables {
  requestId: string;
  /** Set by the node-auth middleware after the signature and nonce checked out. */
  publicKey: string;
  /** The exact bytes that were signed, decoded as UTF-8. */
  rawBody: string;
  /**
   * Whom consumer limits count, when not the client's address: set by API-key
   * authentication to `apiKeyIdentity(keyId)` before the limits run.
   */
  consumerIdentity: Identity | undefined;
  /** The API key a Bearer token named, once `identifyApiKeys` found it; handlers reuse it. */
  apiKey: { keyId: string; accountId: string } | undefined;
  /**
   * Set instead of `publicKey` when a route that accepts it was called with a
   * claim's lease token; the query that writes checks it against the job.
   */
  leaseToken: string | undefined;
  /** Set when `limitBodies` read a chunked body through Hono: read it from there too. */
  bodyBuffered: boolean | undefined;
}

export interface AppEnv {
  Variables: AppVariables;
}
