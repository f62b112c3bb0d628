import type { Metadata } from 'next';
import { PageHeader } from '@/components/layout/page-header';
import { ApiReference } from '@/components/docs/api-reference';
import { Guides } from '@/components/docs/guides';

export const metadata: Metadata = { title: 'Docs' };

const CONTENTS = [
  { href: '#run-a-provider', label: 'Run a provider' },
  { href: '#call-the-api', label: 'Call the API' },
  { href: '#self-host', label: 'Self-host the control plane' },
  { href: '#api-reference', label: 'API reference' },
];

export default function DocsPage() {
  return (
    <>
      <PageHeader
        title="Docs"
        description="Earn with your GPU, call open models with the OpenAI client, or run the whole network yourself."
      />
      <div className="grid gap-10 lg:grid-cols-[14rem_1fr]">
        <nav aria-label="On this page" className="lg:sticky lg:top-20 lg:self-start">
          <ul className="flex flex-wrap gap-2 text-sm lg:flex-col lg:gap-1">
            {CONTENTS.map((entry) => (
              <li key={entry.href}>
                <a
                  href={entry.href}
                  className="block rounded-md border border-border px-3 py-1.5 hover:bg-surface-muted lg:border-0"
                >
                  {entry.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="min-w-0 space-y-12">
          <Guides />
          <section
            id="api-reference"
            aria-labelledby="api-reference-title"
            className="scroll-mt-20 space-y-4"
          >
            <h2 id="api-reference-title" className="text-xl font-semibold">
              API reference
            </h2>
            <ApiReference />
          </section>
        </div>
      </div>
    </>
  );
}
