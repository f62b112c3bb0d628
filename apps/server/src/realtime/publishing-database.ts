import type {
  AccountQueries,
  Database,
  EventQueries,
  JobQueries,
  Notifications,
  ProviderQueries,
} from '@infernet/db';
import type { Logger } from '../logger';

/**
 * Sends wake-ups to every server copy. Both methods return at once and never
 * throw for a transport failure: a wake-up is a hint (the database is the
 * truth), so losing one may delay a waiter but must never fail a write.
 */
export interface NotificationPublisher {
  /** A job for `model` became claimable. */
  jobAvailable(model: string): void;
  /** New events were stored for `jobId`. */
  jobEvents(jobId: string): void;
}

/** Carries wake-ups between server copies instead of the database's LISTEN/NOTIFY. */
export interface NotificationTransport {
  readonly publisher: NotificationPublisher;
  /** Fed by what any copy publishes, with the contract of `Database.notifications`. */
  readonly notifications: Notifications;
  close(): Promise<void>;
}

/**
 * Decorates a Database opened with `listen: false` so that every write that
 * can wake a waiter publishes on `transport` after it committed, and its
 * `notifications` come from the transport. Publishing after the commit keeps
 * the rule of the database path: a woken waiter always finds what woke it.
 * One publish per call (per flushed batch of tokens), never one per token.
 * Reads pass through untouched.
 */
export function withNotificationTransport(
  db: Database,
  transport: NotificationTransport,
  logger: Logger,
): Database {
  const { publisher } = transport;
  function announce(send: () => void): void {
    try {
      send();
    } catch (error) {
      // A publisher is not supposed to throw; if one does, the write it follows still stands.
      logger.warn({ err: error }, 'publishing a wake-up failed');
    }
  }
  function announceEach(models: readonly string[], jobIds: readonly string[]): void {
    for (const model of models) announce(() => publisher.jobAvailable(model));
    for (const jobId of jobIds) announce(() => publisher.jobEvents(jobId));
  }

  // The query objects are plain closures over their SQL client, so spreading them keeps every
  // method that needs no wake-up working as before.
  const jobs: JobQueries = {
    ...db.jobs,
    async createChat(input) {
      const job = await db.jobs.createChat(input);
      if (job) announce(() => publisher.jobAvailable(job.model));
      return job;
    },
    async createEmbedding(input) {
      const job = await db.jobs.createEmbedding(input);
      if (job) announce(() => publisher.jobAvailable(job.model));
      return job;
    },
    async submitChat(input) {
      const result = await db.jobs.submitChat(input);
      // A job handed straight to a waiting poll is nobody else's to claim.
      if (result.ok && result.job.status === 'queued') {
        announce(() => publisher.jobAvailable(result.job.model));
      }
      return result;
    },
    async expireQueueDeadlines(input) {
      const result = await db.jobs.expireQueueDeadlines(input);
      announceEach([], result.jobIds);
      return result;
    },
    async complete(input) {
      const result = await db.jobs.complete(input);
      if (result.ok && result.changed) announce(() => publisher.jobEvents(input.jobId));
      return result;
    },
    async cancel(jobId, reason) {
      const result = await db.jobs.cancel(jobId, reason);
      if (result.ok && result.changed) announce(() => publisher.jobEvents(jobId));
      return result;
    },
    async release(input) {
      const result = await db.jobs.release(input);
      if (result.ok && result.outcome === 'requeued') {
        announce(() => publisher.jobAvailable(result.job.model));
      } else if (result.ok && result.outcome === 'failed') {
        announce(() => publisher.jobEvents(input.jobId));
      }
      return result;
    },
    async expireLeases(input) {
      const result = await db.jobs.expireLeases(input);
      announceEach(result.requeuedModels, result.failedJobIds);
      return result;
    },
    async cancelAbandoned(input) {
      const result = await db.jobs.cancelAbandoned(input);
      announceEach([], result.jobIds);
      return result;
    },
  };
  const events: EventQueries = {
    ...db.events,
    async append(jobId, providerId, nodeEvents, options) {
      const [result] = await events.appendMany([
        { jobId, providerId, events: nodeEvents, ...(options ? { options } : {}) },
      ]);
      return result!;
    },
    async appendMany(requests) {
      const results = await db.events.appendMany(requests);
      results.forEach((result, index) => {
        const { jobId } = requests[index]!;
        if (result.ok && result.inserted > 0) announce(() => publisher.jobEvents(jobId));
      });
      return results;
    },
  };
  const providers: ProviderQueries = {
    ...db.providers,
    async remove(publicKey) {
      const result = await db.providers.remove(publicKey);
      announceEach(result.requeuedModels, result.failedJobIds);
      return result;
    },
  };

  const accounts: AccountQueries = {
    ...db.accounts,
    async deleteAccount(accountId) {
      const result = await db.accounts.deleteAccount(accountId);
      announceEach([], result.cancelledJobIds);
      return result;
    },
  };

  let closing: Promise<void> | undefined;
  return {
    kind: db.kind,
    providers,
    jobs,
    events,
    replay: db.replay,
    rateLimits: db.rateLimits,
    ledger: db.ledger,
    payouts: db.payouts,
    accounts,
    deployTokens: db.deployTokens,
    deviceCodes: db.deviceCodes,
    retention: db.retention,
    dashboard: db.dashboard,
    kyselyDialect: db.kyselyDialect,
    notifications: transport.notifications,
    ping: () => db.ping(),
    close() {
      // Idempotent like Database.close; the transport closes even when the database fails to.
      closing ??= (async () => {
        try {
          await db.close();
        } finally {
          await transport.close();
        }
      })();
      return closing;
    },
  };
}
