'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import type { PublicProviderDetail } from '@infernet/protocol';
import { NotFoundError } from '@infernetprotocol/sdk';
import { PageHeader } from '@/components/layout/page-header';
import { Badge, ButtonLink, Card, EmptyState, ErrorMessage, Stat } from '@/components/ui';
import { infernetClient } from '@/lib/client';
import { describeLoadError } from '@/lib/describe-error';
import {
  durationSince,
  formatCount,
  formatDateTime,
  formatRate,
  nodeLabel,
  timeAgo,
  vramTierLabel,
} from '@/lib/format';
import { providerStatus } from '@/lib/status';
import { useNow } from '@/lib/use-now';
import { usePolling } from '@/lib/use-polling';

const DETAIL_REFRESH_MS = 5000;

const BACK = (
  <ButtonLink href="/providers" variant="secondary">
    All providers
  </ButtonLink>
);

/** `/providers/detail?id=…`: one node's public, coarse view. */
export function ProviderDetail() {
  const id = useSearchParams().get('id') ?? '';
  if (!id) {
    return (
      <>
        <PageHeader title="Provider" />
        <EmptyState title="No provider chosen" action={BACK}>
          Open a provider from the list to see its details.
        </EmptyState>
      </>
    );
  }
  return <ProviderDetailFor id={id} />;
}

function ProviderDetailFor({ id }: { id: string }) {
  const detail = usePolling(
    (signal) => infernetClient().provider(id, { signal }),
    DETAIL_REFRESH_MS,
    id,
  );
  const now = useNow(5000);

  if (detail.error instanceof NotFoundError) {
    return (
      <>
        <PageHeader title="Provider not found" />
        <EmptyState title="This provider is not listed" action={BACK}>
          It may have chosen not to appear in public lists, or the link is wrong.
        </EmptyState>
      </>
    );
  }
  const failure = detail.error ? describeLoadError(detail.error, 'this provider') : null;
  const provider = detail.data;
  if (!provider) {
    return failure ? (
      <ErrorMessage title={failure.title} action={BACK}>
        {failure.advice}
      </ErrorMessage>
    ) : (
      <p className="text-muted" role="status">
        Loading provider…
      </p>
    );
  }
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-3 text-sm">
        <Link href="/providers" className="text-accent hover:underline">
          Providers
        </Link>
        <span aria-hidden="true" className="text-muted">
          {' / '}
        </span>
        <span aria-current="page" className="text-muted">
          {nodeLabel(provider)}
        </span>
      </nav>
      <PageHeader
        title={nodeLabel(provider)}
        description={<span className="font-mono text-xs break-all">ID {provider.id}</span>}
        actions={
          <Badge tone={providerStatus(provider.status).tone} dot>
            {providerStatus(provider.status).label}
          </Badge>
        }
      />
      {failure && (
        <div className="mb-4">
          <ErrorMessage title={failure.title}>
            {failure.advice} Showing what loaded last.
          </ErrorMessage>
        </div>
      )}
      <ActivityStats provider={provider} now={now} />
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Card title="Models">
          {provider.models.length === 0 ? (
            <p className="text-sm text-muted">This node advertises no model right now.</p>
          ) : (
            <ul className="divide-y divide-border">
              {provider.models.map((model) => (
                <li key={model} className="flex items-center justify-between gap-3 py-2">
                  <code className="min-w-0 truncate text-sm">{model}</code>
                  <Link
                    href={`/chat?model=${encodeURIComponent(model)}`}
                    className="shrink-0 text-sm font-medium text-accent hover:underline"
                    aria-label={`Chat with ${model}`}
                  >
                    Chat
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Hardware">
          {provider.gpus.length === 0 ? (
            <p className="text-sm text-muted">No GPU reported: this node runs on its CPU.</p>
          ) : (
            <ul className="divide-y divide-border text-sm">
              {provider.gpus.map((gpu, index) => (
                <li key={index} className="flex justify-between gap-3 py-2">
                  <span>{gpu.model || 'GPU'}</span>
                  <span className="text-muted">
                    {gpu.vendor === 'unknown' ? '' : `${gpu.vendor.toUpperCase()} · `}
                    {vramTierLabel(gpu.vram_tier)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <p className="mt-3 text-xs text-muted">
            Only a memory tier is published per GPU, never the exact size or the host.
          </p>
        </Card>
      </div>
    </>
  );
}

function ActivityStats({ provider, now }: { provider: PublicProviderDetail; now: number }) {
  const tokensPerMinute = provider.tokens_served_last_hour / 60;
  return (
    <dl className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4" aria-label="Activity">
      <Stat
        label="Last heartbeat"
        value={timeAgo(provider.last_seen, now)}
        detail={provider.online ? 'online now' : 'not heard from recently'}
      />
      <Stat
        label="On the network for"
        value={durationSince(provider.first_seen_at, now)}
        detail={`since ${formatDateTime(provider.first_seen_at)}`}
      />
      <Stat
        label="Jobs in the last hour"
        value={formatCount(provider.jobs_completed_last_hour)}
        detail={`${formatCount(provider.jobs_completed)} completed in all`}
      />
      <Stat
        label="Tokens in the last hour"
        value={formatCount(provider.tokens_served_last_hour)}
        detail={`about ${formatRate(tokensPerMinute)} per minute`}
      />
    </dl>
  );
}
