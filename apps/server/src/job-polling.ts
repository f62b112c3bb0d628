import type { JobRecord, ProviderRecord } from '@infernet/db';
import type { ServerDependencies } from './context';
import { Wakeup } from './realtime/wakeup';

/**
 * Notifications are hints: one can be lost (a listener reconnecting) or wake
 * a claim that skips a momentarily locked job. A parked poll therefore also
 * re-checks this often, which bounds such a stall without costing much.
 */
export const POLL_RECHECK_MS = 5_000;

/**
 * Claims jobs for a provider, holding the request open up to `waitSeconds`
 * when none is queued. It subscribes to wake-ups before each claim attempt so
 * a job submitted between the claim and the wait still wakes it: pick-up costs
 * one notification, not a polling interval. While it waits it is also parked
 * in `waitingPolls`, so a chat submitted on this copy can be handed to it
 * directly, already claimed.
 */
export async function claimWithLongPoll(
  dependencies: Pick<
    ServerDependencies,
    'db' | 'jobAvailability' | 'waitingPolls' | 'leaseSeconds' | 'now' | 'pollRecheckMs'
  >,
  request: { provider: ProviderRecord; limit: number; waitSeconds: number; signal: AbortSignal },
): Promise<JobRecord[]> {
  const models = request.provider.specs.served_models;
  const deadline = dependencies.now() + request.waitSeconds * 1000;
  const wakeup = new Wakeup();
  const unsubscribe = dependencies.jobAvailability.subscribe(models, wakeup);
  try {
    for (;;) {
      if (request.signal.aborted) return [];
      const jobs =
        models.length === 0
          ? []
          : await dependencies.db.jobs.claim({
              providerId: request.provider.id,
              models,
              limit: request.limit,
              leaseSeconds: dependencies.leaseSeconds,
            });
      const remaining = deadline - dependencies.now();
      if (jobs.length > 0 || remaining <= 0) return jobs;
      const parked = dependencies.waitingPolls.park(request.provider.id, models, () =>
        wakeup.notify(),
      );
      try {
        await wakeup.wait(Math.min(remaining, dependencies.pollRecheckMs), request.signal);
      } finally {
        parked.leave();
      }
      const handed = await parked.handedOff();
      if (handed === undefined) continue;
      if (!request.signal.aborted) return [handed];
      await giveBack(dependencies, handed, request.provider.id);
      return [];
    }
  } finally {
    unsubscribe();
  }
}

/** A job handed to a poll whose node hung up in the meantime goes back to the queue at once. */
async function giveBack(
  dependencies: Pick<ServerDependencies, 'db'>,
  job: JobRecord,
  providerId: string,
): Promise<void> {
  await dependencies.db.jobs.release({
    jobId: job.id,
    providerId,
    fencingToken: job.fencingToken,
    reason: 'the long poll it was handed to had closed',
  });
}
