import { createRunPodProvider, type DeployProvider } from '@infernet/deploy-providers';

/** What a one-click launch runs: the provider node with Ollama inside (deploy/provider/Dockerfile, target provider-ollama). */
export const DEFAULT_PROVIDER_IMAGE = 'ghcr.io/profullstack/infernet-provider-ollama:latest';

/** Launching provider nodes on users' own cloud accounts, with their keys, per request. */
export interface CloudDeploy {
  runpod: DeployProvider;
  /** INFERNET_PROVIDER_IMAGE. */
  providerImage: string;
}

export interface CloudDeployOptions {
  /** INFERNET_RUNPOD_API_URL; default RunPod's own. */
  runpodApiUrl?: string;
  providerImage?: string;
}

export function createCloudDeploy(options: CloudDeployOptions = {}): CloudDeploy {
  return {
    runpod: createRunPodProvider({ apiUrl: options.runpodApiUrl }),
    providerImage: options.providerImage ?? DEFAULT_PROVIDER_IMAGE,
  };
}
