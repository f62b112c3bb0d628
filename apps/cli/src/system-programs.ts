import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Environment } from './config';

/** The environment as `spawn` wants it: unset variables left out. */
export function definedEnvironment(environment: Environment): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

/** The absolute path of `name` on the environment's PATH, as a shell would find it. */
export function findExecutable(name: string, environment: Environment): string | undefined {
  for (const directory of (environment.PATH ?? '').split(delimiter)) {
    if (!directory || !isAbsolute(directory)) continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export interface ProgramResult {
  /** The exit status; 1 when it could not be started or was killed. */
  code: number;
  stdout: string;
  stderr: string;
  /** Why it could not run (not found, timed out), when that happened. */
  failure?: string;
}

export interface RunProgramOptions {
  environment: Environment;
  cwd?: string;
  timeoutMs?: number;
  /** Called with output as it arrives (e.g. to show an installer's progress). */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

/** Runs a program to completion without a shell; never rejects. */
export function runProgram(
  command: string,
  args: readonly string[],
  options: RunProgramOptions,
): Promise<ProgramResult> {
  const { environment, cwd, timeoutMs = 60_000, onStdout, onStderr } = options;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let failure: string | undefined;
    const child = spawn(command, [...args], {
      env: definedEnvironment(environment),
      ...(cwd === undefined ? {} : { cwd }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      failure = `it did not finish within ${Math.round(timeoutMs / 1000)} s`;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      onStdout?.(text);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      onStderr?.(text);
    });
    let settled = false;
    const settle = (code: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ...(failure === undefined ? {} : { failure }) });
    };
    child.once('error', (error) => {
      failure = error.message;
      settle(1);
    });
    child.once('close', (code) =>
      settle(failure === undefined && code !== null ? code : code || 1),
    );
  });
}
