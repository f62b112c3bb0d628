export interface NavigationLink {
  href: string;
  label: string;
}

/** The header's links, in order; the account link sits apart at the end. */
export const NAVIGATION_LINKS: readonly NavigationLink[] = [
  { href: '/', label: 'Network' },
  { href: '/providers', label: 'Providers' },
  { href: '/chat', label: 'Chat' },
  { href: '/deploy', label: 'Deploy' },
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/docs', label: 'Docs' },
];

export const ACCOUNT_LINK: NavigationLink = { href: '/account', label: 'Account' };

/** Whether `href` is the current section: `/providers/detail` belongs to Providers. */
export function isCurrentSection(pathname: string, href: string): boolean {
  const path = pathname.replace(/\.html$/, '').replace(/\/+$/, '') || '/';
  if (href === '/') return path === '/';
  return path === href || path.startsWith(`${href}/`);
}
