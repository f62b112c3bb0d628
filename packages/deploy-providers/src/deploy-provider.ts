import type { CloudType } from '@infernet/protocol';

/** The fetch shape the adapters call; injected so tests and proxies can stand in. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Reads `globalThis.fetch` per call, so a fetch replaced after construction is still honoured. */
export const globalFetch: Fetch = (input, init) => globalThis.fetch(input, init);

/** One GPU type a cloud rents out, with its list prices per GPU-hour in USD. */
export interface GpuOffer {
  id: string;
  displayName: string;
  memoryGb: number;
  /** Null where the GPU is not offered on that cloud. */
  securePrice: number | null;
  communityPrice: number | null;
  /** In stock now on at least one cloud. */
  available: boolean;
}

/** A machine to start: a container image with its environment on some GPUs. */
export interface InstanceRequest {
  name: string;
  image: string;
  gpuTypeId: string;
  gpuCount: number;
  cloudType: CloudType;
  /** Becomes the container's environment; it carries secrets, so adapters never log it. */
  env: Readonly<Record<string, string>>;
  /** Container disk in GB: models are pulled onto it. */
  diskGb: number;
}

export interface LaunchedInstance {
  id: string;
  name: string;
  gpuTypeId: string;
  /** The cloud's own word for the new machine's state, e.g. PROVISIONING. */
  status: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * A cloud on which a user launches provider nodes with their own account.
 * The user's API key is an argument of each call, never a property: an
 * adapter instance is shared by every user and keeps no credential.
 * Failures reject with `InfernetError`: `DEPLOY_PROVIDER_UNAUTHORIZED` when
 * the cloud refuses the key, `DEPLOY_PROVIDER_ERROR` for anything else.
 */
export interface DeployProvider {
  /** Short lowercase name, e.g. "runpod". */
  readonly name: string;
  listGpuTypes(apiKey: string, options?: CallOptions): Promise<GpuOffer[]>;
  createInstance(
    apiKey: string,
    request: InstanceRequest,
    options?: CallOptions,
  ): Promise<LaunchedInstance>;
}
