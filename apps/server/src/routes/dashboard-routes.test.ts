import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { loadConfig } from '../config';
import type { AppEnv } from '../context';
import { createTestApp } from '../testing';
import { contentSecurityPolicy, dashboardRoutes, pathSegments } from './dashboard-routes';

const INLINE_BOOTSTRAP = '(self.__next_f=self.__next_f||[]).push([0])';

/** Files shaped like `next build` with `output: 'export'` writes them. */
const EXPORT_FILES: Record<string, string> = {
  'index.html': `<!DOCTYPE html><html><head><script src="/_next/static/chunks/main.js" async=""></script></head><body>network<script>${INLINE_BOOTSTRAP}</script></body></html>`,
  'providers.html': '<!DOCTYPE html><html><body>providers</body></html>',
  'providers/detail.html': '<!DOCTYPE html><html><body>provider detail</body></html>',
  'docs.html': '<!DOCTYPE html><html><body>docs page</body></html>',
  'guides/index.html': '<!DOCTYPE html><html><body>guides index</body></html>',
  '404.html': '<!DOCTYPE html><html><body>dashboard not found</body></html>',
  'index.txt': '0:{"flight":"payload"}',
  '_next/static/chunks/main.js': 'console.log("chunk")',
  '_next/static/css/app.css': 'body{}',
  'theme-init.js': 'void 0',
};

let root: string;
let exportDirectory: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'infernet-dashboard-'));
  exportDirectory = join(root, 'out');
  for (const [name, content] of Object.entries(EXPORT_FILES)) {
    const file = join(exportDirectory, name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  // Outside the export: must never be reachable through it.
  await writeFile(join(root, 'secret.txt'), 'do not serve');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The routes alone, with a JSON 404 behind them as the real app has. */
function dashboardApp(directory = exportDirectory) {
  const app = new Hono<AppEnv>();
  app.route('/', dashboardRoutes({ directory }));
  app.notFound((context) => context.json({ error: { code: 'NOT_FOUND' } }, 404));
  return app;
}

describe('serving the dashboard export', () => {
  it('serves index.html at / as HTML that revalidates', async () => {
    const response = await dashboardApp().request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('network');
  });

  it('maps a page path to its .html file, and a folder to its index.html', async () => {
    const app = dashboardApp();
    expect(await (await app.request('/providers')).text()).toContain('providers');
    expect(await (await app.request('/providers/detail?id=node-1')).text()).toContain(
      'provider detail',
    );
    expect(await (await app.request('/docs')).text()).toContain('docs page');
    expect(await (await app.request('/guides')).text()).toContain('guides index');
    expect(await (await app.request('/guides/')).text()).toContain('guides index');
    expect(await (await app.request('/providers/')).text()).toContain('providers');
    expect(await (await app.request('/providers.html')).text()).toContain('providers');
  });

  it('gives each file its content type, and hashed build assets a long cache', async () => {
    const app = dashboardApp();
    const chunk = await app.request('/_next/static/chunks/main.js');
    expect(chunk.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(chunk.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await app.request('/_next/static/css/app.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const flight = await app.request('/index.txt');
    expect(flight.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const publicScript = await app.request('/theme-init.js');
    expect(publicScript.headers.get('cache-control')).toBe('no-cache');
  });

  it('allows only this origin, and the page’s own inline scripts by hash', async () => {
    const response = await dashboardApp().request('/');
    const policy = response.headers.get('content-security-policy') ?? '';
    const hash = createHash('sha256').update(INLINE_BOOTSTRAP).digest('base64');
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('answers unknown pages with the export’s 404 page, unknown files with the JSON 404', async () => {
    const app = dashboardApp();
    const page = await app.request('/no-such-page');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('dashboard not found');
    const asset = await app.request('/_next/static/chunks/missing.js');
    expect(asset.status).toBe(404);
    expect(await asset.json()).toEqual({ error: { code: 'NOT_FOUND' } });
  });

  it('never leaves the export directory', async () => {
    const app = dashboardApp();
    for (const attempt of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/_next/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/%E0%A4%A',
    ]) {
      const response = await app.request(`http://localhost${attempt}`);
      expect(await response.text(), attempt).not.toContain('do not serve');
    }
    expect(pathSegments('/a/%2e%2e/b')).toBeUndefined();
    expect(pathSegments('/a/..%2f..%2fb')).toBeUndefined();
    expect(pathSegments('/providers/detail')).toEqual(['providers', 'detail']);
  });

  it('leaves API paths alone even when the export holds a file there', async () => {
    await mkdir(join(exportDirectory, 'api'), { recursive: true });
    await writeFile(join(exportDirectory, 'api', 'overview.html'), 'shadowed');
    const response = await dashboardApp().request('/api/overview');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND' } });
  });

  it('explains how to build the dashboard when there is no export yet', async () => {
    const app = dashboardApp(join(root, 'not-built'));
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('npm run build:web');
    expect((await app.request('/providers')).status).toBe(404);
  });

  it('serves an export built after the server started', async () => {
    const later = join(root, 'later');
    const app = dashboardApp(later);
    expect(await (await app.request('/')).text()).toContain('npm run build:web');
    await mkdir(later, { recursive: true });
    await writeFile(join(later, 'index.html'), '<html><body>built now</body></html>');
    expect(await (await app.request('/')).text()).toContain('built now');
  });
});

describe('contentSecurityPolicy', () => {
  it('hashes each distinct inline script once and skips external and empty ones', () => {
    const policy = contentSecurityPolicy(
      '<script src="/a.js"></script><script>one()</script><script>one()</script><script></script><script type="text/javascript">two()</script>',
    );
    const scriptSources = policy.split('; ').find((part) => part.startsWith('script-src')) ?? '';
    expect(scriptSources.match(/'sha256-/g)).toHaveLength(2);
  });
});

describe('the dashboard in the control plane', () => {
  it('keeps every API route working and serves pages for the rest', async () => {
    const server = await createTestApp();
    try {
      const app = createApp({ ...server.dependencies, dashboardDirectory: exportDirectory });
      expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
      expect((await app.request('/api/overview')).status).toBe(200);
      expect((await app.request('/v1/models')).status).toBe(200);
      expect((await app.request('/openapi.json')).headers.get('content-type')).toMatch(/json/);
      expect(await (await app.request('/docs/api')).text()).toContain('<table');
      expect(await (await app.request('/docs')).text()).toContain('docs page');
      expect(await (await app.request('/')).text()).toContain('network');
      const unknownApi = await app.request('/api/no-such-route');
      expect(unknownApi.status).toBe(404);
      expect(await unknownApi.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    } finally {
      await server.close();
    }
  });

  it('defaults to apps/web/out of this checkout, and takes INFERNET_DASHBOARD_DIR', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    expect(loadConfig({}).dashboardDirectory).toBe(resolve(here, '../../../web/out'));
    expect(loadConfig({ INFERNET_DASHBOARD_DIR: '/srv/dashboard' }).dashboardDirectory).toBe(
      '/srv/dashboard',
    );
  });
});
