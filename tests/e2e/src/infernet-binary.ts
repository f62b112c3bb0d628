import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './processes';

export const INFERNET_BINARY = join(REPOSITORY_ROOT, 'apps/cli/bin/infernet.js');

/** How a finished `infernet` command went. */
export interface BinaryRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `infernet` binary to completion with `env` as its whole
 * environment (plus this process's PATH unless `env` sets one), so a test's
 * temporary HOME is all the CLI sees.
 */
export function runInfernet(args: string[], env: Record<string, string>): Promise<BinaryRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [INFERNET_BINARY, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}
