import type { Metadata } from 'next';
import { DeviceApproval } from '@/components/account/device-approval';
import { PageHeader } from '@/components/layout/page-header';

export const metadata: Metadata = { title: 'Approve a node' };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Approve a node"
        description="A node running infernet login is waiting for your answer."
      />
      <DeviceApproval />
    </>
  );
}
