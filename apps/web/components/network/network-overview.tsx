'use client';

import type { Overview } from '@infernet/protocol';
import { PageHeader } from '@/components/layout/page-header';
import { ButtonLink, ErrorMessage } from '@/components/ui';
import { infernetClient } from '@/lib/client';
import { describeLoadError } from '@/lib/describe-error';
import { usePolling } from '@/lib/use-polling';
import { LiveIndicator } from './live-indicator';
import { ModelList } from './model-list';
import { NetworkStats } from './network-stats';
import { VramTiers } from './vram-tiers';

/** How often the overview refreshes: often enough to feel live, cheap for the server. */
export const OVERVIEW_REFRESH_MS = 3000;

/** `/`: the network at a glance, refreshed in place every few seconds. */
export function NetworkOverview() {
  const overview = usePolling<Overview>(
    (signal) => infernetClient().overview({ signal }),
    OVERVIEW_REFRESH_MS,
  );
  const data = overview.data;
  const failure = overview.error ? describeLoadError(overview.error, 'the network overview') : null;

  return (
    <>
      <PageHeader
        title="The network, live"
        description="GPUs run by independent providers, serving open models through an OpenAI-compatible API. Every number here is read from the control plane as you watch."
        actions={
          <>
            <ButtonLink href="/chat" variant="primary">
              Try the chat
            </ButtonLink>
            <ButtonLink href="/docs#run-a-provider">Run a provider</ButtonLink>
          </>
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <LiveIndicator
          updatedAt={overview.updatedAt}
          failing={Boolean(overview.error)}
          lastHeartbeatAt={data?.last_heartbeat_at ?? null}
        />
      </div>
      {failure && !data && (
        <div className="mb-6">
          <ErrorMessage title={failure.title}>{failure.advice}</ErrorMessage>
        </div>
      )}
      <NetworkStats overview={data} />
      <div className="mt-6 grid items-start gap-6 lg:grid-cols-2">
        <ModelList models={data?.models} />
        <VramTiers tiers={data?.vram_tiers} nodesOnline={data?.nodes_online} />
      </div>
    </>
  );
}
