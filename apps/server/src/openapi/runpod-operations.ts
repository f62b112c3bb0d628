import {
  CreateRunPodPodRequestSchema,
  RunPodGpuTypesResponseSchema,
  RunPodPodResponseSchema,
} from '@infernet/protocol';
import type { Operation } from './operations';

/** One-click launch on the user's own RunPod account (docs/deploy-and-dashboard-api.md). */
export const RUNPOD_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/api/deploy/runpod/gpu-types',
    summary:
      "RunPod's GPU types with prices and stock, read with the user's RunPod key (`X-RunPod-Api-Key`, used for this call only)",
    tag: 'accounts',
    security: 'session',
    response: RunPodGpuTypesResponseSchema,
  },
  {
    method: 'post',
    path: '/api/deploy/runpod/pods',
    summary:
      'Launch a provider node on RunPod with the user\'s key (`X-RunPod-Api-Key`): mints a deploy token labelled "runpod:<pod name>" and starts the provider image with it',
    tag: 'accounts',
    security: 'session',
    request: CreateRunPodPodRequestSchema,
    response: RunPodPodResponseSchema,
    successStatus: 201,
  },
];
