'use client';

import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@infernet/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Card, ErrorMessage, Input } from '@/components/ui';
import { accountClient } from './account-client';
import { errorMessage } from './error-message';
import { returnPath } from './return-path';

/**
 * The sign-up and sign-in form. On success the session cookie is set by the
 * answer and the browser goes on to `?next=` (a path here) or the dashboard.
 */
export function AuthForm({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [query, setQuery] = useState('');
  useEffect(() => setQuery(window.location.search), []);
  const signingUp = mode === 'sign-up';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const name = String(form.get('name') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      if (signingUp) {
        await accountClient().signUp({ email, password, name: name === '' ? undefined : name });
      } else {
        await accountClient().signIn({ email, password });
      }
      window.location.assign(returnPath(new URLSearchParams(window.location.search).get('next')));
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  }

  const other = signingUp
    ? { text: 'Already have an account?', link: 'Sign in', href: `/sign-in${query}` }
    : { text: 'New here?', link: 'Create an account', href: `/sign-up${query}` };

  return (
    <Card className="w-full max-w-md">
      <form onSubmit={submit} className="flex flex-col gap-4">
        {signingUp && (
          <Input id="name" name="name" label="Name" autoComplete="name" maxLength={100} />
        )}
        <Input
          id="email"
          name="email"
          type="email"
          label="Email"
          autoComplete="email"
          required
          maxLength={254}
        />
        <Input
          id="password"
          name="password"
          type="password"
          label="Password"
          autoComplete={signingUp ? 'new-password' : 'current-password'}
          required
          minLength={signingUp ? MIN_PASSWORD_LENGTH : 1}
          maxLength={MAX_PASSWORD_LENGTH}
          hint={signingUp ? `At least ${MIN_PASSWORD_LENGTH} characters.` : undefined}
        />
        {error && (
          <ErrorMessage title={signingUp ? 'Could not create the account' : 'Could not sign in'}>
            {error}
          </ErrorMessage>
        )}
        <Button type="submit" busy={busy} className="w-full">
          {signingUp ? 'Create account' : 'Sign in'}
        </Button>
        <p className="text-sm text-muted">
          {other.text}{' '}
          <a href={other.href} className="text-accent underline">
            {other.link}
          </a>
        </p>
      </form>
    </Card>
  );
}
