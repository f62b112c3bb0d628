import { NetworkOverview } from '@/components/network/network-overview';

export default function NetworkPage() {
  return <NetworkOverview />;
}
