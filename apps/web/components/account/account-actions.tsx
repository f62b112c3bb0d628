'use client';

import { DELETE_ACCOUNT_CONFIRMATION } from '@infernetprotocol/sdk';
import { useState, type FormEvent } from 'react';
import { Button, Card, ErrorMessage, Input } from '@/components/ui';
import { accountClient } from './account-client';
import { errorMessage } from './error-message';

export function SignOutButton() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    try {
      await accountClient().signOut();
      window.location.assign('/');
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  }
  return (
    <div className="space-y-2">
      <Button variant="secondary" busy={busy} onClick={() => void signOut()}>
        Sign out
      </Button>
      {error && <ErrorMessage title="Could not sign out">{error}</ErrorMessage>}
    </div>
  );
}

/** Deletes the account after the person types DELETE, having been told what goes. */
export function DeleteAccount() {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (typed !== DELETE_ACCOUNT_CONFIRMATION) return;
    setBusy(true);
    setError(null);
    try {
      await accountClient().deleteAccount();
      window.location.assign('/');
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  }

  return (
    <Card title="Delete account" className="border-danger/40" aria-label="Delete account">
      <div className="space-y-4 text-sm">
        <p>This cannot be undone. Deleting the account removes:</p>
        <ul className="list-disc space-y-1 pl-5">
          <li>your sign-in and every session, on every browser;</li>
          <li>
            all your API keys and deploy tokens: programs and deploys using them stop working;
          </li>
          <li>the prompts and answers of your jobs;</li>
          <li>
            the link to your nodes: they keep running, but belong to no account until they sign in
            again.
          </li>
        </ul>
        <form onSubmit={submit} className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <Input
              id="delete-confirm"
              name="confirm"
              label="Type DELETE to confirm"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
            />
          </div>
          <Button
            type="submit"
            variant="danger"
            busy={busy}
            disabled={typed !== DELETE_ACCOUNT_CONFIRMATION}
          >
            Delete my account
          </Button>
        </form>
        {error && <ErrorMessage title="The account was not deleted">{error}</ErrorMessage>}
      </div>
    </Card>
  );
}
