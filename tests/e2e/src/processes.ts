import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createScratchDatabase } from '@infernet/db';

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../..');
/**
 * `INFERNET_CPU_PROFILE_DIR=/tmp/profiles npm run bench:ttft` writes a V8 CPU
 * profile of every server and CLI process started here (Node refuses
 * `--cpu-prof` in NODE_OPTIONS, so it has to be a flag of each spawn);
 * `INFERNET_CPU_PROFILE_INTERVAL_US=50` samples more often.
 */
const PROFILE_FLAGS = process.env.INFERNET_CPU_PROFILE_DIR
  ? [
      '--cpu-prof',
      `--cpu-prof-dir=${process.env.INFERNET_CPU_PROFILE_DIR}`,
      // V8 samples every 1,000 µs by default: too coarse for one request's path.
      ...(process.env.INFERNET_CPU_PROFILE_INTERVAL_US
        ? [`--cpu-prof-interval=${process.env.INFERNET_CPU_PROFILE_INTERVAL_US}`]
        : []),
    ]
  : [];

/**
 * The server runs as one node process with tsx as an import hook, not under
 * the tsx CLI, which would put it in a child process: a SIGKILL must reach the
 * server itself, never leave it orphaned.
 */
const NODE_WITH_TSX: [string, ...string[]] = [
  process.execPath,
  ...PROFILE_FLAGS,
  '--import',
  'tsx',
];

export interface ManagedProcess {
  child: ChildProcess;
  /** Every stdout and stderr line seen so far. */
  lines: string[];
  /** Resolves with the first line (past or future) that matches. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once the process ends by itself. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function manage(child: ChildProcess, label: string): ManagedProcess {
  const lines: string[] = [];
  const watchers = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => resolveExit(code)),
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const watcher of watchers) {
        if (watcher.pattern.test(line)) {
          watchers.delete(watcher);
          watcher.resolve(line);
        }
      }
    });
  }
  return {
    child,
    lines,
    exited,
    waitForLine(pattern, timeoutMs = 30_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolveLine, reject) => {
        const watcher = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolveLine(line);
          },
        };
        const timer = setTimeout(() => {
          watchers.delete(watcher);
          reject(
            new Error(
              `${label}: no line matching ${pattern} within ${timeoutMs} ms. Output:\n${lines.join('\n')}`,
            ),
          );
        }, timeoutMs);
        watchers.add(watcher);
        exited.then((code) => {
          if (watchers.delete(watcher)) {
            clearTimeout(timer);
            reject(
              new Error(
                `${label} exited (${code}) before ${pattern}. Output:\n${lines.join('\n')}`,
              ),
            );
          }
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface ServerProcess extends ManagedProcess {
  url: string;
}

/** Starts the control plane as its own process on a free port (PORT=0) and waits until it listens. */
export async function startServerProcess(
  env: Record<string, string> = {},
): Promise<ServerProcess & { dataDirectory: string }> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'infernet-server-'));
  // With a PostgreSQL server for tests, each control plane gets a database of its own
  // unless the caller shares one on purpose (DATABASE_URL), so counts are never polluted.
  const scratch =
    env.DATABASE_URL === undefined && process.env.TEST_DATABASE_URL
      ? await createScratchDatabase(process.env.TEST_DATABASE_URL)
      : undefined;
  const [node, ...flags] = NODE_WITH_TSX;
  const child = spawn(node, [...flags, join(REPOSITORY_ROOT, 'apps/server/src/main.ts')], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      INFERNET_DATA_DIR: dataDirectory,
      INFERNET_LOG_LEVEL: 'warn',
      // Tests and benchmarks send every client from one loopback address, which the
      // per-address limits would count as one client; the unit tests cover the limits.
      INFERNET_RATE_LIMITS: 'off',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const managed = manage(child, 'server');
  const removeData = async () => {
    await rm(dataDirectory, { recursive: true, force: true });
    await scratch?.drop();
  };
  const ready = await managed
    .waitForLine(/control plane ready at (http:\/\/\S+)/, 60_000)
    .catch(async (error: unknown) => {
      await managed.stop('SIGKILL');
      await removeData();
      throw error;
    });
  const url = /ready at (http:\/\/\S+)/.exec(ready)![1]!.replace('localhost', '127.0.0.1');
  return {
    ...managed,
    url,
    dataDirectory,
    async stop(signal) {
      const code = await managed.stop(signal);
      await removeData();
      return code;
    },
  };
}

/** Runs the real `infernet` binary with its own HOME, so nothing touches the developer's config. */
export function runCli(args: string[], env: Record<string, string>): ManagedProcess {
  const child = spawn(
    process.execPath,
    [...PROFILE_FLAGS, join(REPOSITORY_ROOT, 'apps/cli/bin/infernet.js'), ...args],
    {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return manage(child, `infernet ${args[0] ?? ''}`);
}

export async function temporaryHome(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'infernet-home-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
