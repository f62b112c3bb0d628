import type { VramTier } from '@infernet/protocol';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatCount(value: number): string {
  return integer.format(value);
}

/** Tokens per second: one decimal below 100, whole numbers above. */
export function formatRate(value: number): string {
  return value < 100 ? decimal.format(value) : integer.format(value);
}

const VRAM_LABELS: Record<VramTier, string> = {
  '<8gb': 'Under 8 GB',
  '8-16gb': '8–16 GB',
  '16-24gb': '16–24 GB',
  '24-48gb': '24–48 GB',
  '>=48gb': '48 GB or more',
  unknown: 'Unknown VRAM',
};

export function vramTierLabel(tier: VramTier): string {
  return VRAM_LABELS[tier];
}

/** The order tiers are shown in: smallest first, unknown last. */
export const VRAM_TIER_ORDER: readonly VramTier[] = [
  '<8gb',
  '8-16gb',
  '16-24gb',
  '24-48gb',
  '>=48gb',
  'unknown',
];

/** "12 s ago", "5 min ago", "3 h ago", "4 days ago"; `now` injected for tests and ticking clocks. */
export function timeAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'unknown';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** "3 h", "12 days": how long since `iso`, for "on the network for …". */
export function durationSince(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A node's name, or a short form of its id when it has none. */
export function nodeLabel(node: { id: string; name: string | null | undefined }): string {
  return node.name || `Node ${node.id.slice(0, 8)}`;
}
