'use client';

import type { ApiKey, CreatedApiKey } from '@infernet/protocol';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Button, Card, EmptyState, ErrorMessage, Input } from '@/components/ui';
import { accountClient } from './account-client';
import { errorMessage } from './error-message';
import { fullDate, timeAgo } from './format';
import { SecretOnce } from './secret-once';

/** Create, list and revoke the account's API keys (used as `Authorization: Bearer inf_…`). */
export function ApiKeys() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setKeys(await accountClient().listApiKeys());
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      setCreated(await accountClient().createApiKey(name === '' ? undefined : name));
      form.reset();
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(key: ApiKey) {
    if (!window.confirm(`Revoke the key "${key.name}"? Programs using it stop working at once.`)) {
      return;
    }
    setError(null);
    try {
      await accountClient().revokeApiKey(key.id);
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <Card title="API keys" aria-label="API keys">
      <div className="space-y-4">
        <p className="text-sm text-muted">
          Programs send a key as <code>Authorization: Bearer inf_…</code>; their jobs are then this
          account&apos;s.
        </p>
        <form onSubmit={create} className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <Input
              id="key-name"
              name="name"
              label="Key name"
              maxLength={100}
              placeholder="laptop"
            />
          </div>
          <Button type="submit" busy={busy}>
            Create key
          </Button>
        </form>
        {created && (
          <SecretOnce
            title={`Your new API key "${created.name}"`}
            value={created.key}
            onDismiss={() => setCreated(null)}
          />
        )}
        {error && <ErrorMessage title="Something went wrong with your keys">{error}</ErrorMessage>}
        {keys === null ? (
          <p className="text-sm text-muted">Loading keys…</p>
        ) : keys.length === 0 ? (
          <EmptyState title="No API keys yet">
            Create one to call the API from a program.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-border" aria-label="Your API keys">
            {keys.map((key) => (
              <li key={key.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
                <div className="min-w-0">
                  <p className="font-medium">{key.name}</p>
                  <p className="text-xs text-muted">
                    <code>{key.prefix}…</code> · created{' '}
                    <time dateTime={key.created_at} title={fullDate(key.created_at)}>
                      {timeAgo(key.created_at)}
                    </time>{' '}
                    · last used{' '}
                    <time
                      dateTime={key.last_used_at ?? undefined}
                      title={fullDate(key.last_used_at)}
                    >
                      {timeAgo(key.last_used_at)}
                    </time>
                  </p>
                </div>
                <Button
                  variant="secondary"
                  onClick={() => void revoke(key)}
                  aria-label={`Revoke key ${key.name}`}
                >
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
