import type { Metadata } from 'next';
import { ProviderList } from '@/components/providers/provider-list';

export const metadata: Metadata = { title: 'Providers' };

export default function ProvidersPage() {
  return <ProviderList />;
}
