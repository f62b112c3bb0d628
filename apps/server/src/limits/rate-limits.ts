import { InfernetError } from '@infernet/protocol';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { describeIdentity, type Identity } from './identity';
import type { LimitSettings } from './limit-settings';
import { createSharedLimiter, type RateLimitStore } from './rate-limit-store';

interface RateLimitDefinition {
  /** Names the limiter in stored keys and in the error's details. */
  key: string;
  /** In the refusal: "Too many <what> …". */
  what: string;
  setting: keyof LimitSettings;
  windowSeconds: 1 | 60;
  /** Counted in the shared store; otherwise in this process's memory (see LimitSettings). */
  shared: boolean;
}

const RATE_LIMITS = {
  consumerRequests: {
    key: 'consumer_requests',
    what: 'requests',
    setting: 'consumerRequestsPerMinute',
    windowSeconds: 60,
    shared: true,
  },
  chatSubmits: {
    key: 'chat_submits',
    what: 'chat requests',
    setting: 'chatSubmitsPerMinute',
    windowSeconds: 60,
    shared: true,
  },
  nodeRequests: {
    key: 'node_requests',
    what: 'node requests',
    setting: 'nodeRequestsPerMinute',
    windowSeconds: 60,
    shared: true,
  },
  nodeRegistrations: {
    key: 'node_registrations',
    what: 'node registrations',
    setting: 'nodeRegistrationsPerMinute',
    windowSeconds: 60,
    shared: true,
  },
  nodeJobWrites: {
    key: 'node_job_writes',
    what: 'job updates',
    setting: 'nodeJobWritesPerSecond',
    windowSeconds: 1,
    shared: false,
  },
  nodeAddressRequests: {
    key: 'node_address_requests',
    what: 'node API requests',
    setting: 'nodeAddressRequestsPerSecond',
    windowSeconds: 1,
    shared: false,
  },
} as const satisfies Record<string, RateLimitDefinition>;

export type RateLimitName = keyof typeof RATE_LIMITS;

function perWindow(definition: RateLimitDefinition): string {
  return definition.windowSeconds === 1 ? 'per second' : 'per minute';
}

/** The refusal: RATE_LIMITED, saying which limit, for whom, and when to retry (also in Retry-After). */
function rateLimited(
  definition: RateLimitDefinition,
  limit: number,
  identity: Identity,
  refusal: RateLimiterRes,
): InfernetError {
  const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
  return new InfernetError(
    'RATE_LIMITED',
    `Too many ${definition.what} ${describeIdentity(identity)}: at most ${limit} ${perWindow(definition)}. ` +
      `Retry in ${retryAfterSeconds} s.`,
    { details: { limit: definition.key, retry_after_seconds: retryAfterSeconds } },
  );
}

function createLimiter(
  store: RateLimitStore,
  definition: RateLimitDefinition,
  points: number,
): RateLimiterAbstract {
  const duration = definition.windowSeconds;
  return definition.shared
    ? createSharedLimiter(store, { name: definition.key, points, durationSeconds: duration })
    : new RateLimiterMemory({ keyPrefix: definition.key, points, duration });
}

/**
 * The control plane's rate limits, by name. A limit set to 0 has no limiter
 * and costs nothing.
 *
 * @example
 * await rateLimits.consume('chatSubmits', addressIdentity('203.0.113.7'));
 */
export class RateLimits {
  readonly #limiters = new Map<RateLimitName, { limiter: RateLimiterAbstract; points: number }>();

  constructor(store: RateLimitStore, settings: LimitSettings) {
    for (const [name, definition] of Object.entries(RATE_LIMITS) as [
      RateLimitName,
      RateLimitDefinition,
    ][]) {
      const points = settings[definition.setting];
      if (points === 0) continue;
      const limiter = createLimiter(store, definition, points);
      this.#limiters.set(name, { limiter, points });
    }
  }

  /** Counts one request of `identity`; throws RATE_LIMITED (429) past the limit. */
  async consume(name: RateLimitName, identity: Identity): Promise<void> {
    const entry = this.#limiters.get(name);
    if (!entry) return;
    try {
      await entry.limiter.consume(identity);
    } catch (error) {
      // The library rejects with a RateLimiterRes when the limit is reached, with an Error otherwise.
      if (error instanceof RateLimiterRes) {
        throw rateLimited(RATE_LIMITS[name], entry.points, identity, error);
      }
      throw error;
    }
  }
}
