import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@infernet/auth';
import { createTestApp, signedPost, type TestApp } from '../testing';
import { OPERATIONS } from '../openapi/operations';

let server: TestApp;
beforeEach(async () => {
  server = await createTestApp();
});
afterEach(async () => {
  await server.close();
});

describe('public read API', () => {
  it('shows coarse node data and served models, never addresses or prompts', async () => {
    const key = generateKeyPair();
    await signedPost(server.app, key, '/api/v1/node/register', {
      role: 'provider',
      node_id: 'public-node',
      name: 'edge-01',
      address: '203.0.113.7',
      port: 46337,
      specs: {
        gpus: [{ vendor: 'nvidia', vram_tier: '24-48gb', model: 'RTX 4090' }],
        gpu_count: 1,
        served_models: ['m1', 'm2'],
      },
    });
    await server.app.request('/api/chat', {
      method: 'POST',
      body: JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'private words' }] }),
    });
    const providers = await (await server.app.request('/api/providers')).json();
    const overview = await (await server.app.request('/api/overview')).json();
    const models = await (await server.app.request('/api/models')).json();
    expect(models).toEqual({
      data: [
        { name: 'm1', nodes: 1 },
        { name: 'm2', nodes: 1 },
      ],
    });
    expect(overview).toMatchObject({
      data: { nodes_online: 1, jobs: { queued: 1 }, vram_tiers: [{ tier: '24-48gb', gpus: 1 }] },
    });
    const everything = JSON.stringify([providers, overview, models]);
    expect(everything).not.toMatch(/203\.0\.113\.7|46337|private words|public_key/);
    expect(everything).toContain('edge-01');
  });

  it('reports health and readiness', async () => {
    expect(await (await server.app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await server.app.request('/readyz');
    expect(ready.status).toBe(200);
  });

  it('publishes an OpenAPI document that lists every route the app answers', async () => {
    const document = (await (await server.app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths)
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    const answered = server.app.routes
      .filter(
        (route) => route.method !== 'ALL' && !['/openapi.json', '/docs/api'].includes(route.path),
      )
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`)
      .sort();
    expect(documented).toEqual([...new Set(answered)]);
    expect(OPERATIONS.length).toBe(documented.length);
    const page = await (await server.app.request('/docs/api')).text();
    for (const operation of OPERATIONS) expect(page).toContain(operation.path);
  });

  it('answers unknown routes and oversized bodies with the error shape', async () => {
    const missing = await server.app.request('/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const huge = await server.app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-length': String(2 * 1024 * 1024) },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
  });
});
