import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import {
  CreateRunPodPodRequestSchema,
  InfernetError,
  MAX_CLOUD_API_KEY_LENGTH,
  MAX_POD_NAME_LENGTH,
  RUNPOD_API_KEY_HEADER,
  RUNPOD_TOKEN_LABEL_PREFIX,
  parseJson,
  type RunPodGpuType,
  type RunPodPod,
} from '@infernet/protocol';
import type { GpuOffer } from '@infernet/deploy-providers';
import { requireSession } from '../accounts/caller';
import { mintDeployToken } from '../accounts/deploy-token-mint';
import { publicBaseUrl } from '../accounts/public-base-url';
import type { AppEnv, ServerDependencies } from '../context';

/** Container disk for a launched node: the models it serves are pulled onto it. */
export const POD_DISK_GB = 50;

/** Printable ASCII without spaces: anything else is not a RunPod key, and never leaves here. */
const API_KEY_SHAPE = /^[\x21-\x7e]+$/;

/**
 * The user's RunPod key from `X-RunPod-Api-Key`, for this request only. It is
 * never logged, stored or echoed: the request log names no header, and
 * errors about it never quote it.
 */
function runPodApiKey(context: Context<AppEnv>): string {
  const key = context.req.header(RUNPOD_API_KEY_HEADER)?.trim();
  if (!key) {
    throw new InfernetError(
      'BAD_REQUEST',
      `Send your RunPod API key in the ${RUNPOD_API_KEY_HEADER} header; it is used for this request only.`,
    );
  }
  if (key.length > MAX_CLOUD_API_KEY_LENGTH || !API_KEY_SHAPE.test(key)) {
    throw new InfernetError(
      'BAD_REQUEST',
      `The ${RUNPOD_API_KEY_HEADER} header is not a RunPod API key.`,
    );
  }
  return key;
}

function toGpuType(offer: GpuOffer): RunPodGpuType {
  return {
    id: offer.id,
    display_name: offer.displayName,
    memory_gb: offer.memoryGb,
    secure_price: offer.securePrice,
    community_price: offer.communityPrice,
    available: offer.available,
  };
}

/** `infernet-<model>-<6 hex>`: says what the pod is for in RunPod's console, and differs per launch. */
export function defaultPodName(model: string): string {
  const suffix = randomBytes(3).toString('hex');
  const room = MAX_POD_NAME_LENGTH - 'infernet--'.length - suffix.length;
  const slug = model
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return slug ? `infernet-${slug}-${suffix}` : `infernet-${suffix}`;
}

/**
 * One-click launch on the signed-in user's own RunPod account, with the
 * RunPod key they send on each call. A launch mints a deploy token for the
 * pod (label `runpod:<pod name>`) and starts the provider image with it, the
 * model and this control plane's address in the pod's environment; the node
 * links itself to the account when it starts.
 */
export function runPodDeployRoutes(dependencies: ServerDependencies) {
  const routes = new Hono<AppEnv>();
  const { runpod, providerImage } = dependencies.cloudDeploy;

  routes.get('/gpu-types', async (context) => {
    await requireSession(dependencies, context);
    const apiKey = runPodApiKey(context);
    const offers = await runpod.listGpuTypes(apiKey, { signal: context.req.raw.signal });
    context.header('Cache-Control', 'no-store');
    return context.json({ data: offers.map(toGpuType) });
  });

  routes.post('/pods', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const request = parseJson(await context.req.text(), CreateRunPodPodRequestSchema);
    const apiKey = runPodApiKey(context);
    const name = request.name ?? defaultPodName(request.model);
    const token = await mintDeployToken(dependencies, accountId, RUNPOD_TOKEN_LABEL_PREFIX + name);
    let pod;
    try {
      // Not tied to the browser's request: a pod RunPod is already creating should get its answer.
      pod = await runpod.createInstance(apiKey, {
        name,
        image: providerImage,
        gpuTypeId: request.gpu_type_id,
        gpuCount: request.gpu_count,
        cloudType: request.cloud_type,
        diskGb: POD_DISK_GB,
        env: {
          INFERNET_BEARER: token.token,
          INFERNET_MODEL: request.model,
          INFERNET_CONTROL_PLANE_URL: publicBaseUrl(dependencies, context),
        },
      });
    } catch (error) {
      // No pod holds this token, so it must not stay usable for a day.
      await dependencies.db.deployTokens
        .revoke(accountId, token.id, new Date(dependencies.now()))
        .catch((revokeError: unknown) => {
          dependencies.logger.warn(
            { err: revokeError, requestId: context.get('requestId'), deployTokenId: token.id },
            'could not revoke the deploy token of a failed RunPod launch',
          );
        });
      throw error;
    }
    const launched: RunPodPod = {
      pod_id: pod.id,
      name: pod.name,
      gpu_type_id: pod.gpuTypeId,
      deploy_token_id: token.id,
      status: pod.status,
    };
    context.header('Cache-Control', 'no-store');
    return context.json({ data: launched }, 201);
  });

  return routes;
}
