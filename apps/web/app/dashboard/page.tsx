import type { Metadata } from 'next';
import { DashboardView } from '@/components/account/dashboard-view';
import { PageHeader } from '@/components/layout/page-header';

export const metadata: Metadata = { title: 'Dashboard' };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Your nodes and the jobs they served, refreshed every few seconds."
      />
      <DashboardView />
    </>
  );
}
