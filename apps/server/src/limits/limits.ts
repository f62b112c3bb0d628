import type { Context } from 'hono';
import { ConcurrencyLimiter } from '../realtime/concurrency-limiter';
import { clientAddress } from './client-address';
import { addressIdentity, type Identity } from './identity';
import type { LimitSettings } from './limit-settings';
import type { RateLimitStore } from './rate-limit-store';
import { RateLimits } from './rate-limits';

/** Everything the limit middleware needs, built once per server copy. */
export interface Limits {
  readonly settings: Readonly<LimitSettings>;
  readonly rates: RateLimits;
  /**
   * Open streams per consumer in this copy, or null when off. Counted in
   * memory on purpose: a stream lives and dies with this process's
   * connection, so a crashed copy can never leave a count behind.
   */
  readonly streams: ConcurrencyLimiter | null;
  /** The client's address as an identity (`ip:…`); see `clientAddress`. */
  addressOf(context: Context): Identity;
}

export interface LimitsOptions {
  store: RateLimitStore;
  settings: LimitSettings;
  /** Proxies in front of the server whose X-Forwarded-For entries are believed (INFERNET_TRUST_PROXY). */
  trustedProxies?: number;
}

export function createLimits(options: LimitsOptions): Limits {
  const settings = Object.freeze({ ...options.settings });
  const trustedProxies = options.trustedProxies ?? 0;
  return {
    settings,
    rates: new RateLimits(options.store, settings),
    streams:
      settings.streamsPerConsumer > 0
        ? new ConcurrencyLimiter(settings.streamsPerConsumer, 'streams')
        : null,
    addressOf: (context) => addressIdentity(clientAddress(context, trustedProxies)),
  };
}
