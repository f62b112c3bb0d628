import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ChatPlayground } from '@/components/chat/chat-playground';

export const metadata: Metadata = { title: 'Chat' };

export default function ChatPage() {
  // `?model=` is read in the browser; Suspense marks where that happens in the static export.
  return (
    <Suspense fallback={<p className="text-muted">Loading the chat…</p>}>
      <ChatPlayground />
    </Suspense>
  );
}
