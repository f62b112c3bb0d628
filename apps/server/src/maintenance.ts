import type { Database } from '@infernet/db';
import { MAX_JOB_ATTEMPTS } from '@infernet/protocol';
import type { Logger } from './logger';

/** Prompts and outputs are deleted this long after their job finished, unless configured. */
export const DEFAULT_PROMPT_RETENTION_HOURS = 24;

export interface MaintenanceOptions {
  db: Database;
  logger: Logger;
  now: () => number;
  abandonedStreamGraceSeconds: number;
  /** Prompts and outputs of jobs finished longer ago than this are deleted (default 24 h). */
  promptRetentionSeconds?: number;
  maxAttempts?: number;
  /**
   * Whether this pass takes back expired leases (default true). A copy that
   * has just started skips it for a while: see `leaseSweepDelayMs`.
   */
  expireLeases?: boolean;
}

export interface StartMaintenanceOptions extends Omit<MaintenanceOptions, 'expireLeases'> {
  intervalMs: number;
  /**
   * How long after start this copy leaves expired leases alone (one lease).
   * While no copy was running, no node could renew its leases; they get one
   * lease to reconnect before their jobs are taken back, so restarting the
   * control plane does not end every stream that was under way.
   */
  leaseSweepDelayMs: number;
}

export interface Maintenance {
  /** Resolves once the pass in flight, if any, has finished. */
  settled(): Promise<void>;
  /** Stops the passes and waits for the one in flight. */
  stop(): Promise<void>;
}

/**
 * One pass of the housekeeping every server copy runs: take back expired
 * leases, cancel jobs whose reader left, fail jobs past their queue deadline, forget expired nonces and rate-limit
 * counters, delete prompts and outputs past their retention. Each query
 * skips rows another copy is handling, so copies never step on each other.
 */
export async function runMaintenance(options: MaintenanceOptions) {
  const { db } = options;
  const { requeued, failed } =
    options.expireLeases === false
      ? { requeued: 0, failed: 0 }
      : await db.jobs.expireLeases({ maxAttempts: options.maxAttempts ?? MAX_JOB_ATTEMPTS });
  const { count: abandoned } = await db.jobs.cancelAbandoned({
    graceSeconds: options.abandonedStreamGraceSeconds,
  });
  // Jobs no node took by their queue deadline fail with QUEUE_TIMEOUT (claims already skip them).
  const { jobIds: timedOut } = await db.jobs.expireQueueDeadlines();
  const nonces = await db.replay.prune(new Date(options.now()));
  // Counters of limits whose window ended; the next request would reset them anyway.
  await db.rateLimits.prune();
  if (requeued + failed + abandoned + timedOut.length > 0) {
    options.logger.info(
      { requeued, failed, abandoned, queueTimeouts: timedOut.length },
      'maintenance took back jobs',
    );
  }
  const purged = await db.retention.purgeContent({
    retentionSeconds: options.promptRetentionSeconds ?? DEFAULT_PROMPT_RETENTION_HOURS * 3600,
  });
  if (purged > 0)
    options.logger.info({ purged }, 'maintenance deleted expired prompts and outputs');
  return { requeued, failed, abandoned, queueTimeouts: timedOut.length, nonces, purged };
}

/** Runs `runMaintenance` every `intervalMs` until stopped; a failed pass is logged and retried next time. */
export function startMaintenance(options: StartMaintenanceOptions): Maintenance {
  const { intervalMs, leaseSweepDelayMs, ...passOptions } = options;
  const leaseSweepFrom = options.now() + leaseSweepDelayMs;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const expireLeases = options.now() >= leaseSweepFrom;
    running = runMaintenance({ ...passOptions, expireLeases }).catch((error: unknown) =>
      options.logger.warn({ err: error }, 'maintenance pass failed'),
    );
  }, intervalMs);
  timer.unref();
  const settled = async () => {
    await running;
  };
  return {
    settled,
    async stop() {
      clearInterval(timer);
      await settled();
    },
  };
}
