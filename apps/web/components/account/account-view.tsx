'use client';

import { Card } from '@/components/ui';
import { ApiKeys } from './api-keys';
import { DeleteAccount, SignOutButton } from './account-actions';
import { RequireSession } from './require-session';

export function AccountView() {
  return (
    <RequireSession>
      {(session) => (
        <div className="space-y-6">
          <Card>
            <div className="flex flex-wrap items-center justify-between gap-3">
              <div className="min-w-0">
                <p className="font-medium">{session.user.name}</p>
                <p className="text-sm text-muted">{session.user.email}</p>
              </div>
              <SignOutButton />
            </div>
          </Card>
          <ApiKeys />
          <DeleteAccount />
        </div>
      )}
    </RequireSession>
  );
}
