import type { Metadata } from 'next';
import { AccountView } from '@/components/account/account-view';
import { PageHeader } from '@/components/layout/page-header';

export const metadata: Metadata = { title: 'Account' };

export default function Page() {
  return (
    <>
      <PageHeader title="Account" description="Your API keys, sign-out and account deletion." />
      <AccountView />
    </>
  );
}
