'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { classNames } from '@/lib/class-names';
import { ACCOUNT_LINK, NAVIGATION_LINKS, isCurrentSection } from './navigation';
import { ThemeToggle } from './theme-toggle';

function NavigationItem({
  href,
  label,
  current,
  onNavigate,
}: {
  href: string;
  label: string;
  current: boolean;
  onNavigate?: () => void;
}) {
  return (
    <Link
      href={href}
      onClick={onNavigate}
      aria-current={current ? 'page' : undefined}
      className={classNames(
        'block rounded-md px-3 py-2 text-sm font-medium',
        current ? 'bg-accent-soft text-foreground' : 'text-muted hover:text-foreground',
      )}
    >
      {label}
    </Link>
  );
}

/** The site header: wide screens show the links; narrow ones a Menu button that opens them. */
export function SiteHeader() {
  const pathname = usePathname() ?? '/';
  const [menuOpen, setMenuOpen] = useState(false);
  // A navigation closes the menu; Escape does too.
  useEffect(() => setMenuOpen(false), [pathname]);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setMenuOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  const links = [...NAVIGATION_LINKS, ACCOUNT_LINK];
  return (
    <header className="sticky top-0 z-20 border-b border-border bg-surface/95 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
          <span
            aria-hidden="true"
            className="inline-flex size-7 items-center justify-center rounded-md bg-accent text-sm text-accent-foreground"
          >
            ∞
          </span>
          Infernet
        </Link>
        <nav aria-label="Main" className="ml-4 hidden flex-1 md:block">
          <ul className="flex items-center gap-1">
            {NAVIGATION_LINKS.map((link) => (
              <li key={link.href}>
                <NavigationItem {...link} current={isCurrentSection(pathname, link.href)} />
              </li>
            ))}
          </ul>
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <Link
            href={ACCOUNT_LINK.href}
            aria-current={isCurrentSection(pathname, ACCOUNT_LINK.href) ? 'page' : undefined}
            className="hidden rounded-md border border-border px-3 py-2 text-sm font-medium hover:bg-surface-muted md:inline-block"
          >
            {ACCOUNT_LINK.label}
          </Link>
          <ThemeToggle />
          <button
            type="button"
            className="inline-flex h-10 items-center rounded-md border border-border px-3 text-sm font-medium md:hidden"
            aria-expanded={menuOpen}
            aria-controls="mobile-menu"
            onClick={() => setMenuOpen((open) => !open)}
          >
            {menuOpen ? 'Close' : 'Menu'}
          </button>
        </div>
      </div>
      <nav
        id="mobile-menu"
        aria-label="Main"
        hidden={!menuOpen}
        className="border-t border-border px-4 py-2 md:hidden"
      >
        <ul className="flex flex-col gap-1">
          {links.map((link) => (
            <li key={link.href}>
              <NavigationItem
                {...link}
                current={isCurrentSection(pathname, link.href)}
                onNavigate={() => setMenuOpen(false)}
              />
            </li>
          ))}
        </ul>
      </nav>
    </header>
  );
}
