'use client';

import type { RunPodGpuType, RunPodPod } from '@infernet/protocol';
import { useState, type FormEvent } from 'react';
import { Button, Card, ErrorMessage, Input, Select } from '@/components/ui';
import { accountClient } from './account-client';
import { DEFAULT_DEPLOY_MODEL } from './deploy-tokens';
import { errorMessage } from './error-message';

function optionLabel(gpu: RunPodGpuType): string {
  const price = gpu.secure_price ?? gpu.community_price;
  return [
    gpu.display_name,
    `${gpu.memory_gb} GB`,
    price === null ? null : `$${price.toFixed(2)}/h`,
    gpu.available ? null : 'unavailable',
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * One-click launch on RunPod. The RunPod key lives in this component's state
 * only (never localStorage) and goes to the control plane in a header, per call.
 */
export function RunPodLaunch({ onLaunched }: { onLaunched: () => void }) {
  const [apiKey, setApiKey] = useState('');
  const [gpuTypes, setGpuTypes] = useState<RunPodGpuType[] | null>(null);
  const [pod, setPod] = useState<RunPodPod | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function loadGpuTypes(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setGpuTypes(await accountClient().runpodGpuTypes(apiKey));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  async function launch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const gpuTypeId = String(form.get('gpu_type_id') ?? '');
    const model = String(form.get('model') ?? '').trim();
    if (gpuTypeId === '' || model === '') {
      setError('Choose a GPU type and a model.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setPod(await accountClient().launchRunpodPod(apiKey, { gpu_type_id: gpuTypeId, model }));
      onLaunched();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="One-click launch on RunPod" aria-label="One-click launch on RunPod">
      <div className="space-y-4">
        <p className="text-sm text-muted">
          Your RunPod API key is sent with each request and is never stored, in this browser or on
          the server.
        </p>
        <form onSubmit={loadGpuTypes} className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <Input
              id="runpod-key"
              type="password"
              label="RunPod API key"
              autoComplete="off"
              value={apiKey}
              onChange={(event) => setApiKey(event.target.value)}
            />
          </div>
          <Button type="submit" variant="secondary" busy={busy} disabled={apiKey.trim() === ''}>
            List GPU types
          </Button>
        </form>
        {gpuTypes && (
          <form onSubmit={launch} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
            <Select
              id="runpod-gpu"
              name="gpu_type_id"
              label="GPU type"
              required
              options={gpuTypes.map((gpu) => ({
                value: gpu.id,
                label: optionLabel(gpu),
                disabled: !gpu.available,
              }))}
            />
            <Input
              id="runpod-model"
              name="model"
              label="Model"
              required
              defaultValue={DEFAULT_DEPLOY_MODEL}
            />
            <Button type="submit" busy={busy}>
              Launch
            </Button>
          </form>
        )}
        {error && <ErrorMessage title="RunPod refused the request">{error}</ErrorMessage>}
        {pod && (
          <p role="status" className="rounded-md bg-success-soft px-3 py-2 text-sm text-success">
            Pod {pod.name} ({pod.pod_id}) is {pod.status.toLowerCase()}. It appears on your
            dashboard once it has downloaded the model.
          </p>
        )}
      </div>
    </Card>
  );
}
