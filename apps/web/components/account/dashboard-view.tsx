'use client';

import { useCallback } from 'react';
import { ErrorMessage } from '@/components/ui';
import { accountClient } from './account-client';
import { MyJobs } from './my-jobs';
import { MyNodes } from './my-nodes';
import { RequireSession } from './require-session';
import { usePolling } from './use-polling';

const POLL_INTERVAL_MS = 5_000;

function Overview() {
  const load = useCallback(async (signal: AbortSignal) => {
    const [nodes, jobs] = await Promise.all([
      accountClient().myNodes({ signal }),
      accountClient().myJobs({ limit: 20 }, { signal }),
    ]);
    return { nodes, jobs };
  }, []);
  const { data, error, updatedAt } = usePolling(load, POLL_INTERVAL_MS);

  return (
    <div className="space-y-8">
      {error && (
        <ErrorMessage title="Could not refresh the dashboard">
          {error} {data ? 'Showing the last answer; retrying every few seconds.' : ''}
        </ErrorMessage>
      )}
      <section aria-labelledby="nodes-heading" className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="nodes-heading" className="text-lg font-semibold">
            My nodes
          </h2>
          {updatedAt && (
            <p className="text-xs text-muted">Updated {new Date(updatedAt).toLocaleTimeString()}</p>
          )}
        </div>
        {data ? (
          <MyNodes nodes={data.nodes} />
        ) : (
          <p className="text-sm text-muted">Loading nodes…</p>
        )}
      </section>
      <section aria-labelledby="jobs-heading" className="space-y-3">
        <h2 id="jobs-heading" className="text-lg font-semibold">
          Recent jobs
        </h2>
        {data ? <MyJobs jobs={data.jobs} /> : <p className="text-sm text-muted">Loading jobs…</p>}
      </section>
    </div>
  );
}

/** The operator's dashboard: nodes and their jobs, refreshed every few seconds. */
export function DashboardView() {
  return <RequireSession>{() => <Overview />}</RequireSession>;
}
