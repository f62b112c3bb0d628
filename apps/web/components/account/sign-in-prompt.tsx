'use client';

import { ButtonLink, EmptyState } from '@/components/ui';
import { currentPath } from './return-path';

/**
 * Shown instead of a signed-in page to a visitor without a session. It only
 * ever renders in the browser (after the session check), so it can read the
 * current address directly, and its links come back here after signing in.
 */
export function SignInPrompt() {
  const query = `?next=${encodeURIComponent(currentPath())}`;
  return (
    <EmptyState
      title="Sign in to see this page"
      action={
        <div className="flex flex-wrap justify-center gap-3">
          <ButtonLink variant="primary" href={`/sign-in${query}`}>
            Sign in
          </ButtonLink>
          <ButtonLink href={`/sign-up${query}`}>Create an account</ButtonLink>
        </div>
      }
    >
      It shows your own account: your nodes, API keys and deploy tokens.
    </EmptyState>
  );
}
