import type { Overview } from '@infernet/protocol';
import { Card, EmptyState } from '@/components/ui';
import { VRAM_TIER_ORDER, formatCount, vramTierLabel } from '@/lib/format';

/** GPUs online per VRAM tier; the bar only repeats the number written beside it. */
export function VramTiers({
  tiers,
  nodesOnline,
}: {
  tiers: Overview['vram_tiers'] | undefined;
  nodesOnline: number | undefined;
}) {
  const largest = Math.max(1, ...(tiers ?? []).map((tier) => tier.gpus));
  const sorted = [...(tiers ?? [])].sort(
    (a, b) => VRAM_TIER_ORDER.indexOf(a.tier) - VRAM_TIER_ORDER.indexOf(b.tier),
  );
  return (
    <Card title="GPUs by memory">
      {tiers === undefined ? (
        <ul aria-label="Loading GPU tiers" className="space-y-2">
          {[0, 1, 2].map((row) => (
            <li key={row} className="h-9 animate-pulse rounded bg-surface-muted" />
          ))}
        </ul>
      ) : sorted.length === 0 ? (
        <EmptyState title="No GPU is online">
          {nodesOnline
            ? `The ${nodesOnline === 1 ? 'node' : `${nodesOnline} nodes`} online ${nodesOnline === 1 ? 'runs' : 'run'} on CPU only.`
            : 'GPUs appear here as soon as a provider with one comes online.'}
        </EmptyState>
      ) : (
        <ul className="space-y-3">
          {sorted.map((tier) => (
            <li key={tier.tier}>
              <div className="flex items-baseline justify-between gap-3 text-sm">
                <span>{vramTierLabel(tier.tier)}</span>
                <span className="text-muted tabular-nums">
                  {formatCount(tier.gpus)} {tier.gpus === 1 ? 'GPU' : 'GPUs'}
                </span>
              </div>
              <div aria-hidden="true" className="mt-1 h-2 rounded-full bg-surface-muted">
                <div
                  className="h-2 rounded-full bg-accent"
                  style={{ width: `${Math.max(4, (tier.gpus / largest) * 100)}%` }}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
      <p className="mt-4 text-xs text-muted">
        Nodes publish only a memory tier per GPU: enough to route jobs, too little to fingerprint a
        machine.
      </p>
    </Card>
  );
}
