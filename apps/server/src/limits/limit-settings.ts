import { z } from 'zod';
import { MAX_CHAT_MESSAGES } from '@infernet/protocol';

/**
 * Every request limit the control plane enforces. A count of 0 turns that
 * limit off. "Shared" limits are counted in the store all server copies
 * share (the database, or Redis when REDIS_URL is set); the others are
 * counted by each copy in its own memory, because they guard that copy's
 * own connections or sit on the token hot path.
 */
export interface LimitSettings {
  /** Requests per minute to `/api/chat*` and `/v1/*` by one consumer. Shared. */
  consumerRequestsPerMinute: number;
  /** Chat and embedding submissions per minute by one consumer. Shared. */
  chatSubmitsPerMinute: number;
  /** Streams (and waiting completions) one consumer may hold open at once, per copy. */
  streamsPerConsumer: number;
  /** Messages one chat request may carry (at most MAX_CHAT_MESSAGES, the schema's bound). */
  maxChatMessages: number;
  /** Register, heartbeat, me, remove and poll requests per minute by one node key. Shared. */
  nodeRequestsPerMinute: number;
  /** Registrations per minute from one address: keys cost nothing to make, addresses do. Shared. */
  nodeRegistrationsPerMinute: number;
  /** Event batches, completions and releases per second by one node key, per copy. */
  nodeJobWritesPerSecond: number;
  /** Node API requests per second from one address, per copy, counted before the signature check. */
  nodeAddressRequestsPerSecond: number;
}

/*
 * Sizing. A busy node runs up to 25 jobs (POLL_MAX_JOBS) and posts a token
 * batch per job every 50 ms: 500 job writes per second, 320 at 16 jobs. Job
 * writes are therefore limited in memory (no extra round trip per batch)
 * at twice that. Its control traffic is about one poll per finished job plus
 * a heartbeat every 30 s, far below 50 per second. Ten such nodes may share
 * one address (a NAT) before the address limit bites.
 */
export const DEFAULT_LIMIT_SETTINGS: Readonly<LimitSettings> = Object.freeze({
  consumerRequestsPerMinute: 600,
  chatSubmitsPerMinute: 60,
  streamsPerConsumer: 16,
  maxChatMessages: MAX_CHAT_MESSAGES,
  nodeRequestsPerMinute: 3_000,
  nodeRegistrationsPerMinute: 60,
  nodeJobWritesPerSecond: 1_000,
  nodeAddressRequestsPerSecond: 5_000,
});

/** The settings with every rate and concurrency limit off; the message bound stays. */
export function withoutRateLimits(settings: LimitSettings): LimitSettings {
  return {
    consumerRequestsPerMinute: 0,
    chatSubmitsPerMinute: 0,
    streamsPerConsumer: 0,
    maxChatMessages: settings.maxChatMessages,
    nodeRequestsPerMinute: 0,
    nodeRegistrationsPerMinute: 0,
    nodeJobWritesPerSecond: 0,
    nodeAddressRequestsPerSecond: 0,
  };
}

/** The environment variable behind each setting. */
export const LIMIT_VARIABLES = {
  consumerRequestsPerMinute: 'INFERNET_RATE_LIMIT_CONSUMER_PER_MINUTE',
  chatSubmitsPerMinute: 'INFERNET_RATE_LIMIT_CHAT_PER_MINUTE',
  streamsPerConsumer: 'INFERNET_MAX_STREAMS_PER_CONSUMER',
  maxChatMessages: 'INFERNET_MAX_CHAT_MESSAGES',
  nodeRequestsPerMinute: 'INFERNET_RATE_LIMIT_NODE_PER_MINUTE',
  nodeRegistrationsPerMinute: 'INFERNET_RATE_LIMIT_NODE_REGISTER_PER_MINUTE',
  nodeJobWritesPerSecond: 'INFERNET_RATE_LIMIT_NODE_JOB_WRITES_PER_SECOND',
  nodeAddressRequestsPerSecond: 'INFERNET_RATE_LIMIT_NODE_ADDRESS_PER_SECOND',
} as const satisfies Record<keyof LimitSettings, string>;

/** A whole number of requests; `name` is the environment variable, for the message. */
function countSchema(name: string) {
  const message = `${name} must be a whole number (0 turns the limit off)`;
  return z.coerce.number({ message }).int(message).min(0, message);
}

const MESSAGES_BOUND = `${LIMIT_VARIABLES.maxChatMessages} must be 1-${MAX_CHAT_MESSAGES}`;

/**
 * The limits as configured through the environment; `rateLimits` is
 * INFERNET_RATE_LIMITS, whose `off` turns every rate limit off at once.
 */
export const LimitSettingsSchema = z
  .object({
    rateLimits: z.enum(['on', 'off'], { message: 'INFERNET_RATE_LIMITS must be on or off' }),
    consumerRequestsPerMinute: countSchema(LIMIT_VARIABLES.consumerRequestsPerMinute),
    chatSubmitsPerMinute: countSchema(LIMIT_VARIABLES.chatSubmitsPerMinute),
    streamsPerConsumer: countSchema(LIMIT_VARIABLES.streamsPerConsumer),
    maxChatMessages: z.coerce
      .number({ message: MESSAGES_BOUND })
      .int(MESSAGES_BOUND)
      .min(1, MESSAGES_BOUND)
      .max(MAX_CHAT_MESSAGES, MESSAGES_BOUND),
    nodeRequestsPerMinute: countSchema(LIMIT_VARIABLES.nodeRequestsPerMinute),
    nodeRegistrationsPerMinute: countSchema(LIMIT_VARIABLES.nodeRegistrationsPerMinute),
    nodeJobWritesPerSecond: countSchema(LIMIT_VARIABLES.nodeJobWritesPerSecond),
    nodeAddressRequestsPerSecond: countSchema(LIMIT_VARIABLES.nodeAddressRequestsPerSecond),
  })
  .transform(({ rateLimits, ...settings }): LimitSettings =>
    rateLimits === 'off' ? withoutRateLimits(settings) : settings,
  );
