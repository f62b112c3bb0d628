import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeRunPod, type FakeRunPodServer } from './fake-runpod';

let runpod: FakeRunPodServer;
beforeEach(async () => {
  runpod = await startFakeRunPod();
});
afterEach(async () => {
  await runpod.close();
});

async function call(path: string, init: RequestInit = {}, key: string | null = runpod.apiKey) {
  const response = await fetch(`${runpod.url}${path}`, {
    ...init,
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...init.headers },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as unknown,
  };
}

const POD = {
  name: 'p',
  image: 'img:1',
  gpu: { id: 'NVIDIA GeForce RTX 4090' },
};

describe('fake RunPod', () => {
  it('answers a missing or wrong bearer key with a 401 problem document', async () => {
    expect(await call('/v2/catalog/gpus', {}, null)).toEqual({
      status: 401,
      type: 'application/problem+json',
      body: { title: 'Unauthorized', status: 401, detail: 'missing bearer token' },
    });
    expect((await call('/v2/catalog/gpus', {}, 'rpa_wrong')).body).toMatchObject({
      detail: 'invalid bearer token',
    });
  });

  it('lists stock only when asked for, per cloud, and insists on a product with it', async () => {
    const plain = (await call('/v2/catalog/gpus')).body as { gpus: Record<string, unknown>[] };
    expect(plain.gpus[0]).not.toHaveProperty('availability');
    const community = (
      await call('/v2/catalog/gpus?include=AVAILABILITY&product=POD&cloud=COMMUNITY')
    ).body as { gpus: { id: string; availability: string }[] };
    expect(community.gpus.map((gpu) => gpu.availability)).toEqual(['LOW', 'NONE', 'MEDIUM']);
    expect((await call('/v2/catalog/gpus?include=AVAILABILITY')).status).toBe(400);
  });

  it('creates pods from valid bodies only, recording every request', async () => {
    const post = (body: unknown) =>
      call('/v2/pods', { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ ...POD, imageName: 'old-v1-field' })).body).toMatchObject({
      status: 422,
      detail: 'unknown field "imageName"',
    });
    expect(
      (await post({ ...POD, cloud: 'COMMUNITY', gpu: { id: 'NVIDIA H100 80GB HBM3' } })).body,
    ).toMatchObject({
      status: 400,
      detail: 'NVIDIA H100 80GB HBM3 is not offered on the COMMUNITY cloud',
    });
    expect((await post({ name: 'p', image: 'img:1' })).status).toBe(400);
    const created = await post({ ...POD, env: { A: 'b' } });
    expect(created).toMatchObject({
      status: 201,
      body: { id: 'fakepod000001', name: 'p', status: 'PROVISIONING', gpu: { count: 1 } },
    });
    expect(runpod.pods).toHaveLength(1);
    expect(runpod.requests.map((request) => request.method)).toEqual([
      'POST',
      'POST',
      'POST',
      'POST',
    ]);
    expect(runpod.requests[3]?.body).toEqual({ ...POD, env: { A: 'b' } });
  });
});
