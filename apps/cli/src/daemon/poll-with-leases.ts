import type { NodeClient, PollResult } from '@infernetprotocol/sdk/node';
import type { Clock } from './clock';
import type { JobHandle } from './job-handle';
import type { RunningJobs } from './running-jobs';

/** The reason logged for a job the control plane listed in a poll's `cancel`. */
export const POLL_CANCEL_REASON = 'POLL_CANCEL';

export interface PollWithLeasesContext {
  client: Pick<NodeClient, 'poll'>;
  jobs: RunningJobs;
  clock: Clock;
}

export interface PollWithLeasesOptions {
  limit: number;
  wait: number;
  signal?: AbortSignal | undefined;
  /** Which running jobs ride along as `active`; all of them when absent. */
  carry?: ((handle: JobHandle) => boolean) | undefined;
}

/**
 * Every poll, long or keep-alive, goes through here: it carries running
 * jobs as `active` (which renews their leases) and stops the ones the answer
 * lists in `cancel`. Only the jobs carried by this very poll can be
 * cancelled by it, so a stale answer never stops a newer claim of the same id.
 */
export async function pollWithLeases(
  context: PollWithLeasesContext,
  { carry, ...options }: PollWithLeasesOptions,
): Promise<PollResult> {
  const { client, jobs, clock } = context;
  const carried = carry ? jobs.list().filter(carry) : jobs.list();
  // Counted when sent: the server renews on arrival, and a long poll may stay open for 25 s.
  const sentAt = clock.now();
  for (const handle of carried) handle.renewedAt = sentAt;
  const result = await client.poll({
    ...options,
    active: carried.map((handle) => handle.id),
  });
  const toCancel = new Set(result.cancel);
  for (const handle of carried) {
    if (toCancel.has(handle.id)) handle.withdraw(POLL_CANCEL_REASON);
  }
  return result;
}
