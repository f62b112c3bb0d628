import type { Metadata } from 'next';
import { DeployView } from '@/components/account/deploy-view';
import { PageHeader } from '@/components/layout/page-header';

export const metadata: Metadata = { title: 'Deploy a node' };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Deploy a node"
        description="Add GPU machines to the network as your nodes."
      />
      <DeployView />
    </>
  );
}
