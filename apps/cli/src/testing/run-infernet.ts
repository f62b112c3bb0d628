import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Test support only: runs the real `infernet` binary the way a user does. */
export const BINARY = fileURLToPath(new URL('../../bin/infernet.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A scratch HOME with nothing inherited from the developer's machine. */
export function makeHome(): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'infernet-cli-'));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** A minimal environment: only what node needs plus what the test passes. */
export function baseEnvironment(home: string, extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'xdg'),
    ...extra,
  };
}

export function runInfernet(
  args: string[],
  environment: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BINARY, ...args],
      { env: environment, cwd: options.cwd ?? tmpdir(), timeout: 30_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Starts the binary and keeps it running, e.g. the daemon. */
export function spawnInfernet(args: string[], environment: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [BINARY, ...args], {
    env: environment,
    cwd: tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
