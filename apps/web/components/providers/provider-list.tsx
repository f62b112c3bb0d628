'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { PublicProvider } from '@infernet/protocol';
import { PageHeader } from '@/components/layout/page-header';
import { Badge, ButtonLink, EmptyState, ErrorMessage, Input } from '@/components/ui';
import { infernetClient } from '@/lib/client';
import { describeLoadError } from '@/lib/describe-error';
import { nodeLabel, timeAgo } from '@/lib/format';
import { providerStatus } from '@/lib/status';
import { useNow } from '@/lib/use-now';
import { usePolling } from '@/lib/use-polling';
import { gpuSummary } from './gpu-summary';

const PROVIDERS_REFRESH_MS = 5000;

/** Online first, then by name. */
function byStatus(a: PublicProvider, b: PublicProvider): number {
  if (a.online !== b.online) return a.online ? -1 : 1;
  return nodeLabel(a).localeCompare(nodeLabel(b));
}

function matches(provider: PublicProvider, query: string): boolean {
  if (!query) return true;
  const needle = query.toLowerCase();
  return (
    nodeLabel(provider).toLowerCase().includes(needle) ||
    provider.models.some((model) => model.toLowerCase().includes(needle))
  );
}

/** `/providers`: every listed node, with a filter by name or model. */
export function ProviderList() {
  const providers = usePolling(
    (signal) => infernetClient().providers({ signal }),
    PROVIDERS_REFRESH_MS,
  );
  const [query, setQuery] = useState('');
  const now = useNow(5000);
  const shown = useMemo(
    () =>
      (providers.data ?? []).filter((provider) => matches(provider, query.trim())).sort(byStatus),
    [providers.data, query],
  );
  const online = providers.data?.filter((provider) => provider.online).length;
  const failure = providers.error ? describeLoadError(providers.error, 'the providers') : null;

  return (
    <>
      <PageHeader
        title="Providers"
        description="The nodes that chose to be listed. Each shows only coarse facts: GPU memory tiers, the models it serves and when it was last heard from — never an address or a hostname."
        actions={<ButtonLink href="/docs#run-a-provider">Add your GPU</ButtonLink>}
      />
      {failure && (
        <div className="mb-4">
          <ErrorMessage title={failure.title}>{failure.advice}</ErrorMessage>
        </div>
      )}
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div className="w-full sm:w-80">
          <Input
            id="provider-filter"
            label="Filter by name or model"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="e.g. qwen2.5"
          />
        </div>
        {providers.data && (
          <p className="text-sm text-muted" aria-live="polite">
            {online} online of {providers.data.length} listed
            {query && ` · ${shown.length} match`}
          </p>
        )}
      </div>
      {providers.data === undefined ? (
        !failure && (
          <ul aria-label="Loading providers" className="grid gap-3 md:grid-cols-2">
            {[0, 1, 2, 3].map((row) => (
              <li key={row} className="h-32 animate-pulse rounded-lg bg-surface-muted" />
            ))}
          </ul>
        )
      ) : providers.data.length === 0 ? (
        <EmptyState
          title="No provider is listed yet"
          action={<ButtonLink href="/docs#run-a-provider">Run a provider</ButtonLink>}
        >
          Install the CLI on any machine with a GPU, run <code>infernet setup</code> and{' '}
          <code>infernet start</code>, and it shows up here within seconds.
        </EmptyState>
      ) : shown.length === 0 ? (
        <EmptyState title={`No provider matches “${query}”`}>
          Try a shorter part of the name or model.
        </EmptyState>
      ) : (
        <ul className="grid gap-3 md:grid-cols-2">
          {shown.map((provider) => (
            <li key={provider.id}>
              <ProviderCard provider={provider} now={now} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ProviderCard({ provider, now }: { provider: PublicProvider; now: number }) {
  const status = providerStatus(provider.status);
  return (
    <article className="h-full rounded-lg border border-border bg-surface p-4 shadow-sm">
      <div className="flex items-start justify-between gap-3">
        <h2 className="min-w-0 truncate font-semibold">
          <Link
            href={`/providers/detail?id=${encodeURIComponent(provider.id)}`}
            className="underline decoration-border underline-offset-4 hover:decoration-accent"
          >
            {nodeLabel(provider)}
          </Link>
        </h2>
        <Badge tone={status.tone} dot>
          {status.label}
        </Badge>
      </div>
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-muted">GPUs</dt>
        <dd>{gpuSummary(provider.gpus)}</dd>
        <dt className="text-muted">Models</dt>
        <dd className="min-w-0">
          {provider.models.length === 0 ? (
            <span className="text-muted">none advertised</span>
          ) : (
            provider.models.join(', ')
          )}
        </dd>
        <dt className="text-muted">Last seen</dt>
        <dd>{timeAgo(provider.last_seen, now)}</dd>
      </dl>
    </article>
  );
}
