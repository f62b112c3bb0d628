import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InfernetError } from '@infernet/protocol';
import { freePort, startFakeRunPod, type FakeRunPodServer } from '@infernet/testkit';
import type { InstanceRequest } from './deploy-provider';
import { createRunPodProvider } from './runpod-provider';

let runpod: FakeRunPodServer;
beforeEach(async () => {
  runpod = await startFakeRunPod();
});
afterEach(async () => {
  await runpod.close();
});

const LAUNCH: InstanceRequest = {
  name: 'infernet-test',
  image: 'ghcr.io/profullstack/infernet-provider:latest',
  gpuTypeId: 'NVIDIA GeForce RTX 4090',
  gpuCount: 2,
  cloudType: 'COMMUNITY',
  env: { INFERNET_MODEL: 'llama3.2:1b', INFERNET_BEARER: 'infd_secret' },
  diskGb: 50,
};

/** The InfernetError a promise rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<InfernetError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!InfernetError.isInstance(error)) throw new Error(`expected an InfernetError, got ${error}`);
  return error;
}

function answering(status: number, body: string) {
  return createRunPodProvider({
    apiUrl: 'https://runpod.invalid',
    fetch: async () => new Response(body, { status }),
  });
}

describe('RunPod provider', () => {
  it('lists GPU types with prices per cloud and stock from both clouds', async () => {
    const provider = createRunPodProvider({ apiUrl: runpod.url });
    const offers = await provider.listGpuTypes(runpod.apiKey);
    expect(offers).toEqual([
      {
        id: 'NVIDIA GeForce RTX 4090',
        displayName: 'RTX 4090',
        memoryGb: 24,
        securePrice: 0.69,
        communityPrice: 0.34,
        available: true,
      },
      {
        id: 'NVIDIA H100 80GB HBM3',
        displayName: 'H100 SXM',
        memoryGb: 80,
        securePrice: 2.69,
        communityPrice: null,
        available: false,
      },
      {
        id: 'NVIDIA RTX A5000',
        displayName: 'RTX A5000',
        memoryGb: 24,
        securePrice: null,
        communityPrice: 0.16,
        available: true,
      },
    ]);
    expect(
      runpod.requests.map(({ method, path, query, headers }) => ({
        method,
        path,
        query,
        authorization: headers.authorization,
      })),
    ).toEqual(
      (['SECURE', 'COMMUNITY'] as const).map((cloud) => ({
        method: 'GET',
        path: '/v2/catalog/gpus',
        query: { include: 'AVAILABILITY', product: 'POD', cloud },
        authorization: `Bearer ${runpod.apiKey}`,
      })),
    );
  });

  it('creates a pod with the image, GPUs, cloud, disk and environment asked for', async () => {
    const provider = createRunPodProvider({ apiUrl: `${runpod.url}/` });
    const launched = await provider.createInstance(runpod.apiKey, LAUNCH);
    expect(launched).toEqual({
      id: 'fakepod000001',
      name: 'infernet-test',
      gpuTypeId: 'NVIDIA GeForce RTX 4090',
      status: 'PROVISIONING',
    });
    expect(runpod.requests).toHaveLength(1);
    expect(runpod.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v2/pods',
      headers: {
        authorization: `Bearer ${runpod.apiKey}`,
        'content-type': 'application/json',
      },
      body: {
        name: 'infernet-test',
        image: 'ghcr.io/profullstack/infernet-provider:latest',
        cloud: 'COMMUNITY',
        gpu: { id: 'NVIDIA GeForce RTX 4090', count: 2 },
        env: { INFERNET_MODEL: 'llama3.2:1b', INFERNET_BEARER: 'infd_secret' },
        disk: 50,
      },
    });
    expect(runpod.pods).toHaveLength(1);
  });

  it('uses the key given to each call and keeps none', async () => {
    const provider = createRunPodProvider({ apiUrl: runpod.url });
    const wrongKey = 'rpa_SOMEONE0ELSES0KEY';
    const refused = await failureOf(provider.listGpuTypes(wrongKey));
    await provider.createInstance(runpod.apiKey, LAUNCH);
    expect(runpod.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${wrongKey}`,
      `Bearer ${wrongKey}`,
      `Bearer ${runpod.apiKey}`,
    ]);
    expect(refused).toMatchObject({
      code: 'DEPLOY_PROVIDER_UNAUTHORIZED',
      httpStatus: 401,
      message: 'RunPod refused the API key: invalid bearer token',
    });
    expect(JSON.stringify({ ...refused, message: refused.message })).not.toContain(wrongKey);
  });

  it('treats 403 as a refused key too', async () => {
    const refused = await failureOf(
      answering(403, '{"title":"Forbidden","status":403,"detail":"access denied"}').createInstance(
        'rpa_key',
        LAUNCH,
      ),
    );
    expect(refused).toMatchObject({
      code: 'DEPLOY_PROVIDER_UNAUTHORIZED',
      message: 'RunPod refused the API key: access denied',
    });
  });

  it("passes RunPod's own message on as a provider error", async () => {
    const provider = createRunPodProvider({ apiUrl: runpod.url });
    const unknownGpu = await failureOf(
      provider.createInstance(runpod.apiKey, { ...LAUNCH, gpuTypeId: 'NVIDIA Imaginary 9000' }),
    );
    expect(unknownGpu).toMatchObject({
      code: 'DEPLOY_PROVIDER_ERROR',
      httpStatus: 502,
      message: 'RunPod answered 400: unknown GPU type "NVIDIA Imaginary 9000"',
      details: { provider: 'runpod', status: 400 },
    });

    runpod.setFailure({ status: 500, detail: 'capacity service unavailable' });
    const outage = await failureOf(provider.listGpuTypes(runpod.apiKey));
    expect(outage).toMatchObject({
      code: 'DEPLOY_PROVIDER_ERROR',
      message: 'RunPod answered 500: capacity service unavailable',
    });
  });

  it('never repeats the key, even when RunPod quotes it back', async () => {
    const key = 'rpa_QUOTED0BACK0KEY';
    const error = await failureOf(
      answering(400, JSON.stringify({ status: 400, detail: `bad key ${key} here` })).listGpuTypes(
        key,
      ),
    );
    expect(error.message).toBe('RunPod answered 400: bad key [redacted] here');
  });

  it('says so when an answer is not a problem document', async () => {
    const error = await failureOf(answering(502, '<html>Bad gateway</html>').listGpuTypes('k'));
    expect(error).toMatchObject({
      code: 'DEPLOY_PROVIDER_ERROR',
      message: 'RunPod answered 502: HTTP 502',
    });
  });

  it('refuses a successful answer that is not in the documented shape', async () => {
    const wrongShape = await failureOf(
      answering(200, JSON.stringify({ gpus: [{ id: 'x', name: 'x' }] })).listGpuTypes('k'),
    );
    expect(wrongShape).toMatchObject({
      code: 'DEPLOY_PROVIDER_ERROR',
      message: "RunPod's answer to GET /v2/catalog/gpus was not in the documented shape.",
    });
    const notJson = await failureOf(answering(201, 'created').createInstance('k', LAUNCH));
    expect(notJson.message).toBe(
      "RunPod's answer to POST /v2/pods was not in the documented shape.",
    );
  });

  it('reports a RunPod it cannot reach', async () => {
    const closedPort = await freePort();
    const provider = createRunPodProvider({ apiUrl: `http://127.0.0.1:${closedPort}` });
    const error = await failureOf(provider.listGpuTypes(runpod.apiKey));
    expect(error).toMatchObject({
      code: 'DEPLOY_PROVIDER_ERROR',
      message: `Could not reach RunPod at http://127.0.0.1:${closedPort}: ECONNREFUSED`,
    });
  });

  it('gives up when RunPod does not answer in time', async () => {
    const provider = createRunPodProvider({
      apiUrl: 'https://runpod.invalid',
      timeoutMs: 20,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    });
    const error = await failureOf(provider.listGpuTypes('k'));
    expect(error.message).toBe(
      'Could not reach RunPod at https://runpod.invalid: no answer in time',
    );
  });

  it("hands back the caller's own abort reason", async () => {
    const controller = new AbortController();
    const reason = new Error('user navigated away');
    controller.abort(reason);
    const provider = createRunPodProvider({ apiUrl: runpod.url });
    await expect(
      provider.createInstance(runpod.apiKey, LAUNCH, { signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});
