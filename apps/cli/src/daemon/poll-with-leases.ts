import type { NodeClient, PollResult } from '@infernetprotocol/sdk/node';
import type { Clock } from './clock';
import type { RunningJobs } from './running-jobs';

/** The reason logged for a job the control plane listed in a poll's `cancel`. */
export const POLL_CANCEL_REASON = 'POLL_CANCEL';

export interface PollWithLeasesContext {
  client: Pick<NodeClient, 'poll'>;
  jobs: RunningJobs;
  clock: Clock;
}

/**
 * Every poll, long or keep-alive, goes through here: it carries the running
 * jobs as `active` (which renews their leases) and stops the ones the answer
 * lists in `cancel`. Only the jobs carried by this very poll can be
 * cancelled by it, so a stale answer never stops a newer claim of the same id.
 */
export async function pollWithLeases(
  context: PollWithLeasesContext,
  options: { limit: number; wait: number; signal?: AbortSignal | undefined },
): Promise<PollResult> {
  const { client, jobs, clock } = context;
  const carried = jobs.list();
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
