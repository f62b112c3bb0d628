import type { Clock } from '../daemon/clock';
import { queryDaemon } from '../daemon/ipc-client';
import type { StatsData, StatusData } from '../daemon/ipc-protocol';

/** What one refresh of the dashboard shows. */
export type DashboardSnapshot =
  | { daemon: 'connecting' }
  | { daemon: 'not-running'; socketPath: string }
  /** The socket answered with an error, or something this CLI cannot read. */
  | { daemon: 'unreadable'; problem: string }
  | { daemon: 'running'; status: StatusData; stats: StatsData; earnings: Earnings };

/**
 * The node's balance on the control plane's ledger (exact decimal text, in
 * the unit of the server's prices); `unknown` until the first answer,
 * `unavailable` when the control plane could not be asked.
 */
export type Earnings =
  { state: 'unknown' } | { state: 'unavailable' } | { state: 'known'; balance: string };

export interface DashboardSource {
  /** With `awaitEarnings`, waits for the balance instead of showing the last one (`--once`). */
  read(options?: { awaitEarnings?: boolean }): Promise<DashboardSnapshot>;
}

/** How often the balance is asked for: it changes per job, not per second. */
export const EARNINGS_REFRESH_MS = 30_000;

/**
 * Reads the running daemon's `status` and `stats` over its control socket
 * on every `read`, and the node's balance from the control plane at most
 * every `EARNINGS_REFRESH_MS` (in the background, so a slow control plane
 * never holds a refresh up). Without `fetchBalance` (no identity) earnings
 * stay unknown.
 */
export function createDashboardSource(options: {
  socketPath: string;
  clock: Clock;
  fetchBalance?: (() => Promise<string>) | undefined;
}): DashboardSource {
  const { socketPath, clock, fetchBalance } = options;
  let earnings: Earnings = fetchBalance ? { state: 'unknown' } : { state: 'unavailable' };
  let askedAt: number | undefined;
  let asking: Promise<void> | undefined;

  function refreshEarnings(): Promise<void> | undefined {
    if (!fetchBalance || asking) return asking;
    if (askedAt !== undefined && clock.now() - askedAt < EARNINGS_REFRESH_MS) return undefined;
    askedAt = clock.now();
    asking = fetchBalance().then(
      (balance) => {
        earnings = { state: 'known', balance };
        asking = undefined;
      },
      () => {
        // Keep showing the last balance when there is one; it is still the best figure.
        if (earnings.state !== 'known') earnings = { state: 'unavailable' };
        asking = undefined;
      },
    );
    return asking;
  }

  return {
    async read({ awaitEarnings = false } = {}) {
      try {
        const status = await queryDaemon(socketPath, 'status');
        if (!status) return { daemon: 'not-running', socketPath };
        const stats = await queryDaemon(socketPath, 'stats');
        if (!stats) return { daemon: 'not-running', socketPath };
        const pending = refreshEarnings();
        if (awaitEarnings) await pending;
        return { daemon: 'running', status, stats, earnings };
      } catch (error) {
        return { daemon: 'unreadable', problem: (error as Error).message };
      }
    },
  };
}
