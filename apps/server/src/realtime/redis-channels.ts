/** What channel names start with unless told otherwise. */
export const DEFAULT_REDIS_CHANNEL_PREFIX = 'infernet:';

/** The two Redis pub/sub channels, the counterparts of the database's two NOTIFY channels. */
export interface RedisChannels {
  /** Payload: a model name, or the wildcard. */
  jobAvailable: string;
  /** Payload: a job id, or the wildcard. */
  jobEvents: string;
}

/**
 * Channel names under `prefix`. Copies that should hear each other share a
 * prefix; tests use a unique one per run so parallel runs on one Redis never do.
 */
export function redisChannels(prefix: string = DEFAULT_REDIS_CHANNEL_PREFIX): RedisChannels {
  return { jobAvailable: `${prefix}job-available`, jobEvents: `${prefix}job-events` };
}
