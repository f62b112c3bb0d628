'use client';

import { normaliseUserCode, type DeviceDecision, type DeviceRequest } from '@infernetprotocol/sdk';
import { useEffect, useState, type FormEvent } from 'react';
import { Badge, Button, Card, ErrorMessage, Input } from '@/components/ui';
import { accountClient } from './account-client';
import { errorMessage } from './error-message';
import { fullDate, shortKey, timeAgo, timeUntil } from './format';
import { RequireSession } from './require-session';

function Decided({ decision }: { decision: DeviceDecision }) {
  const approved = decision.status === 'approved';
  return (
    <Card title={approved ? 'Node approved' : 'Node denied'}>
      <p role="status" className="text-sm">
        {approved
          ? 'The node is now linked to your account; its terminal says so within a few seconds.'
          : 'The node was not linked, and its sign-in has ended.'}
      </p>
    </Card>
  );
}

function Request({
  request,
  busy,
  onDecide,
}: {
  request: DeviceRequest;
  busy: boolean;
  onDecide: (approve: boolean) => void;
}) {
  const pending = request.status === 'pending';
  return (
    <Card
      title="A node asks to join your account"
      aria-label="A node asks to join your account"
      action={<Badge tone={pending ? 'info' : 'neutral'}>{request.status}</Badge>}
    >
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="text-muted">Node</dt>
        <dd>{request.node_name ?? 'unnamed node'}</dd>
        <dt className="text-muted">Public key</dt>
        <dd>
          <code title={request.public_key}>{shortKey(request.public_key)}</code>
        </dd>
        <dt className="text-muted">Asked</dt>
        <dd>
          <time dateTime={request.requested_at} title={fullDate(request.requested_at)}>
            {timeAgo(request.requested_at)}
          </time>
          {pending && ` · the code expires ${timeUntil(request.expires_at)}`}
        </dd>
      </dl>
      {pending ? (
        <div className="mt-4 space-y-3">
          <p className="text-sm">
            Approve only if you just ran <code>infernet login</code> on this node and its terminal
            shows code <code>{request.user_code}</code>. An approved node serves jobs and earns for
            this account.
          </p>
          <div className="flex flex-wrap gap-3">
            <Button busy={busy} onClick={() => onDecide(true)}>
              Approve
            </Button>
            <Button variant="secondary" disabled={busy} onClick={() => onDecide(false)}>
              Deny
            </Button>
          </div>
        </div>
      ) : (
        <p className="mt-4 text-sm text-muted">
          This code is {request.status}; there is nothing to approve.
        </p>
      )}
    </Card>
  );
}

function Approval() {
  const [code, setCode] = useState('');
  const [request, setRequest] = useState<DeviceRequest | null>(null);
  const [decision, setDecision] = useState<DeviceDecision | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function lookUp(userCode: string) {
    setBusy(true);
    setError(null);
    setRequest(null);
    try {
      setRequest(await accountClient().deviceRequest(normaliseUserCode(userCode)));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    const prefilled = new URLSearchParams(window.location.search).get('code');
    if (prefilled) {
      setCode(prefilled);
      void lookUp(prefilled);
    }
  }, []);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void lookUp(code);
  }

  async function decide(approve: boolean) {
    if (!request) return;
    setBusy(true);
    setError(null);
    try {
      setDecision(await accountClient().approveDevice(request.user_code, approve));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  if (decision) return <Decided decision={decision} />;
  return (
    <div className="space-y-4">
      <Card>
        <form onSubmit={submit} className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <Input
              id="device-code"
              name="code"
              label="Code shown by infernet login"
              value={code}
              onChange={(event) => setCode(event.target.value)}
              placeholder="ABCD-EFGH"
              autoComplete="off"
              autoCapitalize="characters"
              className="font-mono uppercase"
            />
          </div>
          <Button
            type="submit"
            variant="secondary"
            busy={busy && !request}
            disabled={code.trim() === ''}
          >
            Look up
          </Button>
        </form>
      </Card>
      {error && <ErrorMessage title="Could not use this code">{error}</ErrorMessage>}
      {request && (
        <Request request={request} busy={busy} onDecide={(approve) => void decide(approve)} />
      )}
    </div>
  );
}

/** The page `infernet login` sends an operator to: look at the asking node, then approve or deny. */
export function DeviceApproval() {
  return <RequireSession>{() => <Approval />}</RequireSession>;
}
