import Link from 'next/link';
import { PageHeader } from '@/components/layout/page-header';
import { EmptyState } from '@/components/ui';

export default function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState
        title="Nothing lives at this address"
        action={
          <Link href="/" className="text-accent underline">
            Back to the network overview
          </Link>
        }
      >
        It may be mistyped, or the page moved. The API lives under <code>/v1</code> and{' '}
        <code>/api</code>; its reference is on the{' '}
        <Link href="/docs" className="text-accent underline">
          Docs
        </Link>{' '}
        page.
      </EmptyState>
    </>
  );
}
