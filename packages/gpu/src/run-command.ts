import { execFile } from 'node:child_process';
import type { CommandRunner } from './detected-gpu';

export interface NodeRunnerOptions {
  /** Kills a tool that hangs (a wedged driver can stall nvidia-smi). Defaults to 4000 ms. */
  timeoutMs?: number;
  /** `nvidia-smi -q -x` prints ~30 KB per GPU; 16 MiB leaves ample room. */
  maxBufferBytes?: number;
}

/**
 * The real {@link CommandRunner}: runs programs with `execFile` (no shell,
 * so arguments are never interpreted) and a timeout.
 *
 * @example
 * const detection = await detectGpus({ run: createNodeRunner({ timeoutMs: 2000 }) });
 */
export function createNodeRunner(options: NodeRunnerOptions = {}): CommandRunner {
  const { timeoutMs = 4000, maxBufferBytes = 16 * 1024 * 1024 } = options;
  return (command, args) =>
    new Promise((resolve) => {
      execFile(
        command,
        [...args],
        { timeout: timeoutMs, maxBuffer: maxBufferBytes, encoding: 'utf8', windowsHide: true },
        (error, stdout) => {
          if (!error) return resolve({ stdout, exitCode: 0 });
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolve(null);
          // Without an exit code, use the shell's conventions: 124 timed out, 126 could not run.
          const exitCode = typeof error.code === 'number' ? error.code : error.killed ? 124 : 126;
          resolve({ stdout, exitCode });
        },
      );
    });
}
