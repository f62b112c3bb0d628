/** Times as people read them on a dashboard: "2 min ago", and a full date on hover. */
export function timeAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 0) return timeUntil(iso, now);
  if (seconds < 45) return 'just now';
  if (seconds < 90 * 60) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export function timeUntil(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds <= 0) return 'now';
  if (seconds < 90 * 60) return `in ${Math.max(1, Math.round(seconds / 60))} min`;
  return `in ${Math.round(seconds / 3600)} h`;
}

export function fullDate(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

export function shortKey(publicKey: string): string {
  return publicKey.length <= 16 ? publicKey : `${publicKey.slice(0, 8)}…${publicKey.slice(-8)}`;
}

export function count(value: number | null | undefined): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : '—';
}
