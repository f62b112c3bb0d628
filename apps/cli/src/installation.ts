import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this CLI runs from (its repository root). */
export const SOURCE_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
/** The CLI's entry point, for running it again in a child process. */
export const CLI_BINARY = join(SOURCE_ROOT, 'apps/cli/bin/infernet.js');

/**
 * What `install.sh` recorded in `~/.infernet/install.conf` (KEY=value lines)
 * so that `infernet update` repeats the install the same way.
 */
export interface Installation {
  /** `~/.infernet` */
  home: string;
  /** `~/.infernet/source`, the code. */
  source: string;
  receiptPath: string;
  kind: 'git' | 'copy';
  repoUrl: string | undefined;
  ref: string | undefined;
  /** The local checkout a `copy` install came from. */
  copiedFrom: string | undefined;
  /** `~/.local/bin/infernet`, the command on PATH. */
  shim: string | undefined;
  installedAt: string | undefined;
}

export function parseReceipt(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trimEnd());
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

/**
 * The install.sh installation this CLI runs from, or undefined when it runs
 * from a checkout (development, Docker): `<home>/source` beside
 * `<home>/install.conf`.
 */
export function findInstallation(sourceRoot: string = SOURCE_ROOT): Installation | undefined {
  if (basename(sourceRoot) !== 'source') return undefined;
  const home = dirname(sourceRoot);
  const receiptPath = join(home, 'install.conf');
  if (!existsSync(receiptPath)) return undefined;
  const values = parseReceipt(readFileSync(receiptPath, 'utf8'));
  const optional = (key: string) => values[key] || undefined;
  return {
    home,
    source: sourceRoot,
    receiptPath,
    kind: values.INFERNET_SOURCE_KIND === 'copy' ? 'copy' : 'git',
    repoUrl: optional('INFERNET_REPO_URL'),
    ref: optional('INFERNET_REF'),
    copiedFrom: optional('INFERNET_SOURCE_DIR'),
    shim: optional('INFERNET_SHIM'),
    installedAt: optional('INFERNET_INSTALLED_AT'),
  };
}

/** The version in a checkout's `apps/cli/package.json`, read afresh (it changes on update). */
export function versionAt(sourceRoot: string): string | undefined {
  try {
    const packageJson = JSON.parse(
      readFileSync(join(sourceRoot, 'apps/cli/package.json'), 'utf8'),
    ) as { version?: unknown };
    return typeof packageJson.version === 'string' ? packageJson.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How to run this CLI from a supervisor: the installed shim when there is
 * one, else this node binary with this checkout's entry point.
 */
export function cliCommand(nodePath: string = process.execPath): string[] {
  const shim = findInstallation()?.shim;
  if (shim && existsSync(shim)) return [shim];
  return [nodePath, CLI_BINARY];
}
