import Link from 'next/link';
import type { ModelSummary } from '@infernet/protocol';
import { Card, EmptyState } from '@/components/ui';
import { formatCount } from '@/lib/format';

/** Models live nodes serve, most-served first, each a link into the chat. */
export function ModelList({ models }: { models: ModelSummary[] | undefined }) {
  return (
    <Card title="Models served">
      {models === undefined ? (
        <ul aria-label="Loading models" className="space-y-2">
          {[0, 1, 2].map((row) => (
            <li key={row} className="h-9 animate-pulse rounded bg-surface-muted" />
          ))}
        </ul>
      ) : models.length === 0 ? (
        <EmptyState title="No model is being served right now">
          Models appear here within seconds of a provider running <code>infernet start</code>.{' '}
          <Link href="/docs#run-a-provider" className="text-accent underline">
            Run one yourself
          </Link>
          .
        </EmptyState>
      ) : (
        <ul className="divide-y divide-border">
          {[...models]
            .sort((a, b) => b.nodes - a.nodes || a.name.localeCompare(b.name))
            .map((model) => (
              <li key={model.name} className="flex items-center justify-between gap-3 py-2.5">
                <code className="min-w-0 truncate text-sm">{model.name}</code>
                <span className="flex shrink-0 items-center gap-3 text-sm">
                  <span className="text-muted tabular-nums">
                    {formatCount(model.nodes)} {model.nodes === 1 ? 'node' : 'nodes'}
                  </span>
                  <Link
                    href={`/chat?model=${encodeURIComponent(model.name)}`}
                    className="font-medium text-accent underline-offset-2 hover:underline"
                    aria-label={`Chat with ${model.name}`}
                  >
                    Chat
                  </Link>
                </span>
              </li>
            ))}
        </ul>
      )}
    </Card>
  );
}
