'use client';

import type { CreatedDeployToken, DeployToken, DeployTokenStatus } from '@infernet/protocol';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorMessage,
  Input,
  type BadgeTone,
} from '@/components/ui';
import { accountClient } from './account-client';
import { deployScript } from './deploy-command';
import { errorMessage } from './error-message';
import { fullDate, timeAgo, timeUntil } from './format';
import { SecretOnce } from './secret-once';

const STATUS_TONE: Record<DeployTokenStatus, BadgeTone> = {
  active: 'success',
  expired: 'neutral',
  revoked: 'danger',
};

export const DEFAULT_DEPLOY_MODEL = 'qwen2.5:7b';

function TokenRow({ token, onRevoke }: { token: DeployToken; onRevoke: () => void }) {
  const active = token.status === 'active';
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-3">
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2 font-medium">
          {token.label ?? 'Unlabelled'}
          <Badge tone={STATUS_TONE[token.status]}>{token.status}</Badge>
        </p>
        <p className="text-xs text-muted">
          created{' '}
          <time dateTime={token.created_at} title={fullDate(token.created_at)}>
            {timeAgo(token.created_at)}
          </time>{' '}
          · {active ? 'expires' : 'expiry'}{' '}
          <time dateTime={token.expires_at} title={fullDate(token.expires_at)}>
            {active ? timeUntil(token.expires_at) : timeAgo(token.expires_at)}
          </time>{' '}
          · {token.nodes_linked} {token.nodes_linked === 1 ? 'node' : 'nodes'} linked
        </p>
      </div>
      {active && (
        <Button
          variant="secondary"
          onClick={onRevoke}
          aria-label={`Revoke deploy token ${token.label ?? token.id}`}
        >
          Revoke
        </Button>
      )}
    </li>
  );
}

/** Mint a 24-hour deploy token with the script that uses it; list and revoke tokens. */
export function DeployTokens({ refreshKey }: { refreshKey: number }) {
  const [tokens, setTokens] = useState<DeployToken[] | null>(null);
  const [minted, setMinted] = useState<{ token: CreatedDeployToken; script: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setTokens(await accountClient().listDeployTokens());
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  async function mint(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const label = String(form.get('label') ?? '').trim();
    const model = String(form.get('model') ?? '').trim();
    if (model === '') {
      setError(`Enter the model the node should serve, e.g. ${DEFAULT_DEPLOY_MODEL}.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const token = await accountClient().createDeployToken({
        label: label === '' ? undefined : label,
      });
      setMinted({
        token,
        script: deployScript({ origin: window.location.origin, model, token: token.token }),
      });
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: DeployToken) {
    const name = token.label ?? 'this token';
    if (!window.confirm(`Revoke ${name}? Machines still using it can no longer join.`)) return;
    setError(null);
    try {
      await accountClient().revokeDeployToken(token.id);
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <Card title="Deploy on any cloud" aria-label="Deploy on any cloud">
      <div className="space-y-4">
        <p className="text-sm text-muted">
          A deploy token lets new machines join the network as your nodes for 24 hours. It can fetch
          the setup script and link nodes, and nothing else.
        </p>
        <form onSubmit={mint} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
          <Input
            id="deploy-label"
            name="label"
            label="Label"
            maxLength={64}
            placeholder="gpu-box-1"
          />
          <Input
            id="deploy-model"
            name="model"
            label="Model"
            required
            defaultValue={DEFAULT_DEPLOY_MODEL}
          />
          <Button type="submit" busy={busy}>
            Mint deploy token
          </Button>
        </form>
        {error && (
          <ErrorMessage title="Something went wrong with deploy tokens">{error}</ErrorMessage>
        )}
        {minted && (
          <div className="space-y-2">
            <SecretOnce
              title="Paste this into the provider's user-data (cloud-init) field"
              value={minted.script}
              onDismiss={() => setMinted(null)}
            />
            <p className="text-sm text-muted">
              The token travels in a header, never in a URL, and expires{' '}
              <time dateTime={minted.token.expires_at}>{timeUntil(minted.token.expires_at)}</time>.
            </p>
          </div>
        )}
        {tokens === null ? (
          <p className="text-sm text-muted">Loading deploy tokens…</p>
        ) : tokens.length === 0 ? (
          <EmptyState title="No deploy tokens yet" />
        ) : (
          <ul className="divide-y divide-border" aria-label="Your deploy tokens">
            {tokens.map((token) => (
              <TokenRow key={token.id} token={token} onRevoke={() => void revoke(token)} />
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
