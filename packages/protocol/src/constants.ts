/** Seconds a signed request stays valid either side of the server clock. */
export const REPLAY_WINDOW_SECONDS = 60;
/** The only envelope version this code speaks. */
export const ENVELOPE_VERSION = 1;
/** Header carrying the signed envelope (HTTP header names are case-insensitive). */
export const AUTH_HEADER_NAME = 'x-infernet-auth';
/** Header carrying a claim's lease token on event posts and completions (see NodeJob.lease_token). */
export const LEASE_HEADER_NAME = 'x-infernet-lease';
/** A larger header is refused before it is decoded, so hostile input costs nothing. */
export const AUTH_HEADER_MAX_BYTES = 1024;
/** Nonces are opaque strings; the bound keeps the replay store small. */
export const NONCE_MAX_LENGTH = 128;

export const DEFAULT_SERVER_PORT = 3000;
export const DEFAULT_P2P_PORT = 46337;
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export const HEARTBEAT_INTERVAL_SECONDS = 30;
/** A node that has not heartbeated for this long is not offered work and is shown offline. */
export const NODE_LIVENESS_SECONDS = 90;
export const LONG_POLL_MAX_WAIT_SECONDS = 25;
export const POLL_MAX_JOBS = 25;
export const DEFAULT_POLL_JOBS = 5;
export const DEFAULT_LEASE_SECONDS = 30;
/** A job whose lease expired this many times fails instead of going back to the queue. */
export const MAX_JOB_ATTEMPTS = 3;
/** How often each server copy looks for expired leases; copies skip rows another is sweeping. */
export const LEASE_SWEEP_INTERVAL_MS = 5_000;
/** An anonymous job whose stream reader left this long ago, and did not return, is cancelled. */
export const ABANDONED_STREAM_GRACE_SECONDS = 30;

/** Jobs one model's queue may hold while every node serving it is busy; one more is refused. */
export const DEFAULT_QUEUE_MAX_PER_MODEL = 100;
/** A job no node took this long after it was queued fails with QUEUE_TIMEOUT. */
export const DEFAULT_QUEUE_DEADLINE_SECONDS = 120;
/** Request header naming the fallback a request accepts; `none` asks for Infernet's nodes only. */
export const FALLBACK_HEADER_NAME = 'x-infernet-fallback';

/** Providers post the first token at once, then batches no more often than this. */
export const TOKEN_BATCH_INTERVAL_MS = 50;
export const SSE_KEEP_ALIVE_MS = 15_000;
export const MAX_EVENTS_PER_BATCH = 200;

export const DEFAULT_MAX_TOKENS = 512;
export const DEFAULT_TEMPERATURE = 0.7;
export const MAX_CHAT_MESSAGES = 256;
export const MAX_MESSAGE_CHARACTERS = 200_000;
export const MAX_GPUS_PER_NODE = 16;
export const MAX_SERVED_MODELS = 64;
export const MAX_ERROR_MESSAGE_CHARACTERS = 1024;

/** The label the stub engine carries in every `meta` event, so nobody mistakes it for a model. */
export const DEMO_ENGINE_LABEL = 'demo engine';
