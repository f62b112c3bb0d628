import type { Overview } from '@infernet/protocol';
import { Stat } from '@/components/ui';
import { formatCount, formatRate } from '@/lib/format';

/** The headline numbers; placeholders while the first overview loads. */
export function NetworkStats({ overview }: { overview: Overview | undefined }) {
  // Older servers do not report throughput; say so instead of showing 0.
  const rate = overview && (overview as Partial<Overview>).tokens_per_second;
  return (
    <dl className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4" aria-label="Network totals">
      <Stat
        label="Nodes online"
        value={overview && formatCount(overview.nodes_online)}
        detail={overview && `of ${formatCount(overview.nodes_total)} registered`}
      />
      <Stat
        label="Jobs running"
        value={overview && formatCount(overview.jobs.running)}
        detail={overview && `${formatCount(overview.jobs.queued)} waiting for a node`}
      />
      <Stat
        label="Jobs done"
        value={overview && formatCount(overview.jobs.completed)}
        detail={overview && `${formatCount(overview.jobs.failed)} failed`}
      />
      <Stat
        label="Tokens per second"
        value={overview && (rate === undefined ? '—' : formatRate(rate))}
        detail={
          overview &&
          (rate === undefined
            ? 'not reported by this server'
            : `averaged over the last ${overview.throughput_window_seconds} s`)
        }
      />
    </dl>
  );
}
