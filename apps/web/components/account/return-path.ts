/** Where to go after signing in: `?next=` when it is a path on this site, else the dashboard. */
export function returnPath(next: string | null): string {
  if (next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')) return next;
  return '/dashboard';
}

/** The current page, to come back to after signing in. */
export function currentPath(): string {
  if (typeof window === 'undefined') return '/dashboard';
  return window.location.pathname + window.location.search;
}
