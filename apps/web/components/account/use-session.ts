'use client';

import type { Session } from '@infernetprotocol/sdk';
import { useCallback, useEffect, useState } from 'react';
import { accountClient } from './account-client';
import { errorMessage } from './error-message';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; session: Session }
  | { status: 'error'; message: string };

/** Asks the control plane who is signed in on this browser, once per mount (and on `reload`). */
export function useSession(): SessionState & { reload: () => void } {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((value) => value + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    accountClient()
      .session({ signal: controller.signal })
      .then((session) =>
        setState(session ? { status: 'signed-in', session } : { status: 'signed-out' }),
      )
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', message: errorMessage(error) });
      });
    return () => controller.abort();
  }, [attempt]);

  return { ...state, reload };
}
