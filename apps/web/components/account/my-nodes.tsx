'use client';

import type { OperatorNode } from '@infernet/protocol';
import type { ReactNode } from 'react';
import { Badge, Card, EmptyState } from '@/components/ui';
import { count, fullDate, timeAgo } from './format';

/** What to do when a node stopped heartbeating: plain words and the commands. */
function SilentNodeHelp({ node }: { node: OperatorNode }) {
  return (
    <div role="note" className="rounded-md bg-warning-soft px-3 py-2 text-sm text-foreground">
      <p>
        <strong className="text-warning">{node.name ?? 'This node'} went silent</strong>: no
        heartbeat since {timeAgo(node.last_seen_at)}. On that machine, start it again with{' '}
        <code>infernet start</code>, or, if it runs as a service,{' '}
        <code>systemctl --user restart infernet</code>. If it will not start,{' '}
        <code>infernet doctor</code> says why.
      </p>
    </div>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-muted">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function MyNodes({ nodes }: { nodes: OperatorNode[] }) {
  if (nodes.length === 0) {
    return (
      <EmptyState title="No nodes linked to this account yet">
        Run <code>infernet login</code> on a machine, or deploy one from the{' '}
        <a href="/deploy" className="text-accent underline">
          Deploy
        </a>{' '}
        page.
      </EmptyState>
    );
  }
  return (
    <ul className="space-y-3" aria-label="Your nodes">
      {nodes.map((node) => (
        <li key={node.id}>
          <Card
            headingLevel={3}
            title={node.name ?? node.id}
            action={
              <Badge tone={node.status === 'online' ? 'success' : 'danger'} dot>
                {node.status === 'online' ? 'Online' : 'Offline'}
              </Badge>
            }
          >
            <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-4">
              <Detail label="Last heartbeat">
                <time dateTime={node.last_seen_at ?? undefined} title={fullDate(node.last_seen_at)}>
                  {timeAgo(node.last_seen_at)}
                </time>
              </Detail>
              <Detail label="Jobs served">{count(node.jobs_completed)}</Detail>
              <Detail label="Tokens">{count(node.tokens_served)}</Detail>
              <Detail label="Earnings">
                {node.earnings.amount} {node.earnings.unit}
              </Detail>
              <div className="col-span-2 min-w-0 sm:col-span-4">
                <dt className="text-muted">Models</dt>
                <dd>{node.models.length === 0 ? 'none' : node.models.join(', ')}</dd>
              </div>
            </dl>
            {node.status === 'offline' && (
              <div className="mt-3">
                <SilentNodeHelp node={node} />
              </div>
            )}
          </Card>
        </li>
      ))}
    </ul>
  );
}
