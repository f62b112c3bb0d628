import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../context';

/**
 * The dashboard: the static export of `apps/web` (INFERNET_DASHBOARD_DIR),
 * served from this process so one port carries the API and the pages.
 * Registered after every API route; paths under the API prefixes are never
 * answered from here, so an unknown API path keeps its JSON 404.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  // Next's export writes the React Server Component payloads as `.txt`.
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
  '.xml': 'application/xml; charset=utf-8',
};

/** Paths the API owns: never looked up on disk, whatever the export holds. */
const API_PREFIXES = ['/api/', '/v1/'];
const API_PATHS = new Set(['/api', '/v1']);

/** File names Next puts a content hash in: safe to cache for a year. */
const IMMUTABLE_PREFIX = '/_next/static/';
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** Pages and everything else: revalidate each time, so a rebuild shows at once. */
const REVALIDATE_CACHE = 'no-cache';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** Inline `<script>` elements (no `src`): Next's bootstrap and flight-data scripts. */
const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/**
 * Same-origin only. The inline scripts a page carries are allowed by their
 * hashes, computed from the file served, rather than by `'unsafe-inline'`.
 * Inline styles stay allowed: React writes `style` attributes, and a style
 * cannot run code.
 */
export function contentSecurityPolicy(html: string): string {
  const hashes = new Set<string>();
  for (const match of html.matchAll(INLINE_SCRIPT)) {
    const body = match[1] ?? '';
    if (body.length === 0) continue;
    hashes.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
  return [
    "default-src 'self'",
    `script-src 'self'${[...hashes].map((hash) => ` ${hash}`).join('')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Shown at `/` while there is no export to serve: how to build one, not a 500. */
export function missingDashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Infernet control plane</title>
<style>
  body { font: 16px/1.6 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #111827; background: #f7f8fa; }
  code { background: #e5e7eb; padding: 0.1rem 0.3rem; border-radius: 4px; }
  @media (prefers-color-scheme: dark) { body { color: #e6e9ef; background: #0b0f17; } code { background: #1a2233; } a { color: #8fb5ff; } }
</style>
</head>
<body>
<h1>The control plane is running</h1>
<p>The dashboard has not been built yet. Build it with <code>npm run build:web</code>
(or start with <code>npm start</code>, which builds it when needed), then reload this page.
Set <code>INFERNET_DASHBOARD_DIR</code> to serve an export from elsewhere.</p>
<p>The API works already: <a href="/docs/api">API reference</a>,
<a href="/openapi.json">/openapi.json</a>, <a href="/healthz">/healthz</a>.</p>
</body>
</html>
`;
}

/**
 * The URL path as safe path segments, or undefined for a path that could
 * leave the directory: `..`, `.`, encoded slashes or backslashes, NUL bytes.
 */
export function pathSegments(pathname: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/**
 * The files a path may name, in order: the file itself, `x.html`,
 * `x/index.html`; with a trailing slash, the folder's index first.
 */
function candidateFiles(segments: string[], trailingSlash: boolean): string[][] {
  if (segments.length === 0) return [['index.html']];
  const last = segments[segments.length - 1]!;
  const parent = segments.slice(0, -1);
  const folderIndex = [...segments, 'index.html'];
  if (trailingSlash) return [folderIndex, [...parent, `${last}.html`]];
  return [segments, [...parent, `${last}.html`], folderIndex];
}

/** The file's modification time, or undefined when `path` is not a file. */
async function fileModifiedMs(path: string): Promise<number | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.mtimeMs : undefined;
  } catch {
    return undefined;
  }
}

interface CachedPolicy {
  modifiedMs: number;
  policy: string;
}

export interface DashboardOptions {
  /** The export's folder (`apps/web/out`); it may appear, vanish or be rebuilt while serving. */
  directory: string;
}

export function dashboardRoutes({ directory }: DashboardOptions) {
  const root = resolve(directory);
  const policies = new Map<string, CachedPolicy>();
  const routes = new Hono<AppEnv>();

  /** The policy for one HTML file, recomputed only when the file changes. */
  function policyFor(file: string, modifiedMs: number, html: string): string {
    const cached = policies.get(file);
    if (cached?.modifiedMs === modifiedMs) return cached.policy;
    const policy = contentSecurityPolicy(html);
    policies.set(file, { modifiedMs, policy });
    return policy;
  }

  async function serveFile(
    context: Context<AppEnv>,
    file: string,
    modifiedMs: number,
    pathname: string,
    status: 200 | 404 = 200,
  ) {
    const extension = extname(file).toLowerCase();
    const body = await readFile(file);
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'cache-control': pathname.startsWith(IMMUTABLE_PREFIX) ? IMMUTABLE_CACHE : REVALIDATE_CACHE,
    };
    if (extension === '.html') {
      headers['content-security-policy'] = policyFor(file, modifiedMs, body.toString('utf8'));
    }
    return context.body(body, status, headers);
  }

  routes.get('*', async (context, next) => {
    const pathname = new URL(context.req.url).pathname;
    if (API_PATHS.has(pathname) || API_PREFIXES.some((prefix) => pathname.startsWith(prefix))) {
      return next();
    }
    const segments = pathSegments(pathname);
    if (!segments) return next();

    if ((await fileModifiedMs(join(root, 'index.html'))) === undefined) {
      if (segments.length > 0) return next();
      return context.html(missingDashboardPage(), 200, {
        ...SECURITY_HEADERS,
        'cache-control': REVALIDATE_CACHE,
      });
    }

    for (const candidate of candidateFiles(segments, pathname.endsWith('/'))) {
      const file = join(root, ...candidate);
      // pathSegments already refuses `..`; this keeps the guarantee if that ever changes.
      if (!file.startsWith(root + sep)) return next();
      const modifiedMs = await fileModifiedMs(file);
      if (modifiedMs !== undefined) return serveFile(context, file, modifiedMs, pathname);
    }

    // A page-like path (no extension) gets the export's own 404 page; a missing asset, the JSON 404.
    const notFoundPage = join(root, '404.html');
    const notFoundModifiedMs =
      extname(pathname) === '' ? await fileModifiedMs(notFoundPage) : undefined;
    if (notFoundModifiedMs !== undefined) {
      return serveFile(context, notFoundPage, notFoundModifiedMs, pathname, 404);
    }
    return next();
  });
  return routes;
}
