import Link from 'next/link';

export function SiteFooter() {
  return (
    <footer className="mt-16 border-t border-border">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-6 text-sm text-muted">
        <p>Infernet — an open, decentralized GPU network for AI inference.</p>
        <ul className="flex flex-wrap gap-4">
          <li>
            <Link href="/docs" className="hover:text-foreground">
              Docs
            </Link>
          </li>
          <li>
            <a href="/docs/api" className="hover:text-foreground">
              API reference
            </a>
          </li>
          <li>
            <a href="/openapi.json" className="hover:text-foreground">
              OpenAPI
            </a>
          </li>
        </ul>
      </div>
    </footer>
  );
}
