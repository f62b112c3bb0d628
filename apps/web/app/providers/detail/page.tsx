import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ProviderDetail } from '@/components/providers/provider-detail';

export const metadata: Metadata = { title: 'Provider' };

/** `/providers/detail?id=…`: a query string, because a static export cannot pre-render unknown ids. */
export default function ProviderDetailPage() {
  return (
    // The id is read from the URL in the browser; Suspense marks where that happens.
    <Suspense fallback={<p className="text-muted">Loading provider…</p>}>
      <ProviderDetail />
    </Suspense>
  );
}
