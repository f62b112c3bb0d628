'use client';

import type { Session } from '@infernetprotocol/sdk';
import type { ReactNode } from 'react';
import { Button, ErrorMessage } from '@/components/ui';
import { SignInPrompt } from './sign-in-prompt';
import { useSession } from './use-session';

/**
 * Renders `children` for the signed-in user; a signed-out visitor gets a
 * prompt to sign in (and come back here), never a broken page.
 */
export function RequireSession({
  children,
}: {
  children: (session: Session, reload: () => void) => ReactNode;
}) {
  const state = useSession();
  if (state.status === 'loading') {
    return (
      <p className="text-sm text-muted" role="status">
        Loading…
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <ErrorMessage
        title="Could not check your session"
        action={
          <Button variant="secondary" onClick={state.reload}>
            Try again
          </Button>
        }
      >
        {state.message}
      </ErrorMessage>
    );
  }
  if (state.status === 'signed-out') return <SignInPrompt />;
  return <>{children(state.session, state.reload)}</>;
}
