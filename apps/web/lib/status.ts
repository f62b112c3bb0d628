import type { PublicProvider } from '@infernet/protocol';
import type { BadgeTone } from '@/components/ui';

/** A provider's status as words and a tone; the words carry the meaning, the colour repeats it. */
export function providerStatus(status: PublicProvider['status']): {
  label: string;
  tone: BadgeTone;
} {
  switch (status) {
    case 'available':
      return { label: 'Available', tone: 'success' };
    case 'busy':
      return { label: 'Busy', tone: 'warning' };
    default:
      return { label: 'Offline', tone: 'neutral' };
  }
}
