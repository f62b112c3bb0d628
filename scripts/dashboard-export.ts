/**
 * Whether the dashboard's static export (`apps/web/out`) is older than what it
 * is built from, and building it. Used by `npm start` and by
 * `npm run test:browser`, so neither serves stale pages.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'apps/web');
const EXPORT_INDEX = join(WEB, 'out/index.html');

/** What the export is built from: the app and the workspace packages it bundles. */
const SOURCES = [
  join(WEB, 'app'),
  join(WEB, 'components'),
  join(WEB, 'lib'),
  join(WEB, 'public'),
  join(WEB, 'next.config.ts'),
  join(WEB, 'postcss.config.mjs'),
  join(WEB, 'package.json'),
  join(ROOT, 'packages/sdk/src'),
  join(ROOT, 'packages/protocol/src'),
];

const SKIPPED_FOLDERS = new Set(['node_modules', '.next', 'out']);

/** The newest modification time under `path`, or 0 when it does not exist. */
function newestModification(path: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIPPED_FOLDERS.has(entry.name)) continue;
    // Tests do not go into the bundle; editing one needs no rebuild.
    if (/\.test\.tsx?$/.test(entry.name)) continue;
    newest = Math.max(newest, newestModification(join(path, entry.name)));
  }
  return newest;
}

export function dashboardExportIsCurrent(): boolean {
  const built = newestModification(EXPORT_INDEX);
  return built > 0 && built >= Math.max(...SOURCES.map(newestModification));
}

/** Runs `npm run build:web` with its output on this terminal; resolves its exit status. */
export function buildDashboardExport(): number {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}
