import type { z } from 'zod';
import type { CloudType } from '@infernet/protocol';
import {
  globalFetch,
  type CallOptions,
  type DeployProvider,
  type Fetch,
  type GpuOffer,
  type InstanceRequest,
  type LaunchedInstance,
} from './deploy-provider';
import { runPodMalformed, runPodRefusal, runPodUnreachable } from './runpod-errors';
import {
  RunPodGpuListSchema,
  RunPodPodSchema,
  type RunPodCreatePodBody,
  type RunPodGpuType,
} from './runpod-wire';

/** RunPod's REST API v2 host; the `/v2/...` paths are appended to it. */
export const DEFAULT_RUNPOD_API_URL = 'https://api.runpod.io';

/** A launch is one click in a browser: past this, the user is told RunPod did not answer. */
const DEFAULT_TIMEOUT_MS = 30_000;

export interface RunPodProviderOptions {
  /** Default {@link DEFAULT_RUNPOD_API_URL}; tests point it at testkit's fake RunPod. */
  apiUrl?: string;
  fetch?: Fetch;
  timeoutMs?: number;
}

interface RunPodRequest<Schema extends z.ZodType> {
  apiKey: string;
  method: 'GET' | 'POST';
  path: string;
  schema: Schema;
  body?: RunPodCreatePodBody;
  signal?: AbortSignal | undefined;
}

/** In stock: RunPod reports NONE when no machine can take a pod of this type now. */
function inStock(gpu: RunPodGpuType | undefined): boolean {
  return gpu?.availability !== undefined && gpu.availability !== 'NONE';
}

/**
 * Launches pods on the user's own RunPod account through RunPod's REST API
 * v2, with the user's key as a Bearer token on each request (see
 * `runpod-wire.ts` for the documents followed). The key is a parameter of
 * each call and leaves no trace in the adapter, its errors or its logs.
 *
 * @example
 * const runpod = createRunPodProvider();
 * const gpus = await runpod.listGpuTypes(userKey);
 */
export function createRunPodProvider(options: RunPodProviderOptions = {}): DeployProvider {
  const apiUrl = (options.apiUrl ?? DEFAULT_RUNPOD_API_URL).replace(/\/+$/, '');
  const fetchRunPod = options.fetch ?? globalFetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function send<Schema extends z.ZodType>(
    request: RunPodRequest<Schema>,
  ): Promise<z.infer<Schema>> {
    const signal = request.signal
      ? AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetchRunPod(`${apiUrl}${request.path}`, {
        method: request.method,
        headers: {
          authorization: `Bearer ${request.apiKey}`,
          accept: 'application/json',
          ...(request.body ? { 'content-type': 'application/json' } : {}),
        },
        body: request.body ? JSON.stringify(request.body) : undefined,
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      // The caller's own abort is not RunPod's fault: hand back their reason.
      if (request.signal?.aborted) throw request.signal.reason;
      throw runPodUnreachable(apiUrl, error);
    }
    if (status < 200 || status > 299) throw runPodRefusal(status, text, request.apiKey);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw runPodMalformed(`${request.method} ${request.path.split('?')[0]}`);
    }
    const answer = request.schema.safeParse(parsed);
    if (!answer.success) throw runPodMalformed(`${request.method} ${request.path.split('?')[0]}`);
    return answer.data;
  }

  /** One catalog read per cloud: RunPod reports stock for one cloud at a time. */
  async function catalog(apiKey: string, cloud: CloudType, signal?: AbortSignal) {
    const query = new URLSearchParams({ include: 'AVAILABILITY', product: 'POD', cloud });
    const list = await send({
      apiKey,
      method: 'GET',
      path: `/v2/catalog/gpus?${query}`,
      schema: RunPodGpuListSchema,
      signal,
    });
    return new Map(list.gpus.map((gpu) => [gpu.id, gpu]));
  }

  return {
    name: 'runpod',

    async listGpuTypes(apiKey: string, callOptions: CallOptions = {}): Promise<GpuOffer[]> {
      const [secure, community] = await Promise.all([
        catalog(apiKey, 'SECURE', callOptions.signal),
        catalog(apiKey, 'COMMUNITY', callOptions.signal),
      ]);
      const offers: GpuOffer[] = [];
      for (const id of new Set([...secure.keys(), ...community.keys()])) {
        const onSecure = secure.get(id);
        const onCommunity = community.get(id);
        const gpu = onSecure ?? onCommunity;
        if (!gpu) continue;
        offers.push({
          id,
          displayName: gpu.name,
          memoryGb: gpu.memory,
          // The catalog quotes placeholder prices on clouds that do not offer the GPU.
          securePrice: gpu.secure ? gpu.price.secure : null,
          communityPrice: gpu.community ? gpu.price.community : null,
          available: (gpu.secure && inStock(onSecure)) || (gpu.community && inStock(onCommunity)),
        });
      }
      return offers;
    },

    async createInstance(
      apiKey: string,
      request: InstanceRequest,
      callOptions: CallOptions = {},
    ): Promise<LaunchedInstance> {
      const pod = await send({
        apiKey,
        method: 'POST',
        path: '/v2/pods',
        schema: RunPodPodSchema,
        body: {
          name: request.name,
          image: request.image,
          cloud: request.cloudType,
          gpu: { id: request.gpuTypeId, count: request.gpuCount },
          env: { ...request.env },
          disk: request.diskGb,
        },
        signal: callOptions.signal,
      });
      return {
        id: pod.id,
        name: pod.name,
        gpuTypeId: pod.gpu?.id ?? request.gpuTypeId,
        status: pod.status,
      };
    },
  };
}
