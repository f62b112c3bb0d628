'use client';

import { Badge } from '@/components/ui';
import { timeAgo } from '@/lib/format';
import { useNow } from '@/lib/use-now';

/** Says whether the numbers are live, and how fresh they are, in words. */
export function LiveIndicator({
  updatedAt,
  failing,
  lastHeartbeatAt,
}: {
  updatedAt: number | undefined;
  failing: boolean;
  lastHeartbeatAt: string | null;
}) {
  const now = useNow();
  if (updatedAt === undefined) {
    return failing ? (
      <Badge tone="danger" dot>
        Not connected
      </Badge>
    ) : (
      <Badge tone="neutral">Loading…</Badge>
    );
  }
  return (
    <>
      {failing ? (
        <Badge tone="warning" dot>
          Reconnecting
        </Badge>
      ) : (
        <Badge tone="success" dot>
          Live
        </Badge>
      )}
      <span className="text-sm text-muted">
        Updated {timeAgo(new Date(updatedAt).toISOString(), now)}
        {' · '}
        last node heartbeat {timeAgo(lastHeartbeatAt, now)}
      </span>
    </>
  );
}
