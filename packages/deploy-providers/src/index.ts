export { globalFetch } from './deploy-provider';
export type {
  CallOptions,
  DeployProvider,
  Fetch,
  GpuOffer,
  InstanceRequest,
  LaunchedInstance,
} from './deploy-provider';
export { DEFAULT_RUNPOD_API_URL, createRunPodProvider } from './runpod-provider';
export type { RunPodProviderOptions } from './runpod-provider';
