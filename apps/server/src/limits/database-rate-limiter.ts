import type { RateLimitCounter, RateLimitQueries } from '@infernet/db';
import {
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterStoreAbstract as StoreLimiter,
  type RateLimiterLike,
} from 'rate-limiter-flexible';

/*
 * rate-limiter-flexible declares RateLimiterStoreAbstract in its types but
 * does not export it at run time (index.js); every store limiter extends it,
 * as its declarations say, so it is taken from one of them.
 */
const RateLimiterStoreAbstract = Object.getPrototypeOf(RateLimiterPostgres) as typeof StoreLimiter;

export interface DatabaseRateLimiterOptions {
  counters: RateLimitQueries;
  /** Names the limiter; stored keys are `<keyPrefix>:<identity>`. */
  keyPrefix: string;
  points: number;
  /** Window length in seconds. */
  duration: number;
  /** Counts instead, in this process, while the database cannot answer. */
  insuranceLimiter?: RateLimiterLike;
}

/**
 * A rate-limiter-flexible store on our own database: PostgreSQL or embedded
 * PGlite, through `db.rateLimits`, on the `rate_limits` table of migration
 * 0003. The library's own RateLimiterPostgres needs a node-postgres client
 * and writes its SQL itself; ours keeps every statement in packages/db, works
 * on PGlite too, and times windows by the database clock, so copies whose
 * clocks disagree still share one window. Blocking, insurance and the
 * in-memory block list come from the library's store base class.
 */
export class DatabaseRateLimiter extends RateLimiterStoreAbstract {
  readonly #counters: RateLimitQueries;

  constructor(options: DatabaseRateLimiterOptions) {
    super({ ...options, storeClient: options.counters });
    this.#counters = options.counters;
  }

  /** Called by the base class after every counting call; `result` is what `_upsert` returned. */
  _getRateLimiterRes(
    _key: string,
    changedPoints: number,
    result: RateLimitCounter,
  ): RateLimiterRes {
    const consumed = result.points;
    return new RateLimiterRes(
      Math.max(this.points - consumed, 0),
      result.msBeforeReset,
      consumed,
      consumed === changedPoints,
    );
  }

  _upsert(
    key: string,
    points: number,
    msDuration: number,
    forceExpire = false,
  ): Promise<RateLimitCounter> {
    return this.#counters.add(key, points, msDuration, { restart: forceExpire });
  }

  _get(key: string): Promise<RateLimitCounter | null> {
    return this.#counters.get(key);
  }

  _delete(key: string): Promise<boolean> {
    return this.#counters.delete(key);
  }
}
