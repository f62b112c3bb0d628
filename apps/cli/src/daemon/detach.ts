import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT_OK } from '../cli-error';
import type { CommandContext, SharedFlags } from '../context';
import {
  daemonFiles,
  ensurePrivateDirectory,
  readPidFile,
  removeStaleFiles,
  runningDaemonPid,
  type DaemonFiles,
} from './daemon-files';
import { callDaemon } from './ipc-client';
import { formatLogLine } from './log-format';

const BINARY = fileURLToPath(new URL('../../bin/infernet.js', import.meta.url));
/** How long a new daemon may take to answer `ping` (loading tsx, reading GPUs). */
const READY_TIMEOUT_MS = 30_000;
const READY_RETRY_MS = 100;
/** Log lines shown when the daemon dies during startup. */
const STARTUP_LOG_LINES = 15;

/**
 * `infernet start`: runs `infernet start --foreground --log-to-file` as a
 * detached process (its own session, stdio into `daemon.log`), and returns
 * once that process answers `ping` on the control socket, or explains why
 * it died. Refuses when a daemon already runs for this config; a pid file
 * left by one that is gone is cleaned up first.
 */
export async function startDetached(context: CommandContext, flags: SharedFlags): Promise<number> {
  const { output } = context;
  const files = daemonFiles(context.environment);
  const running = runningDaemonPid(files);
  if (running !== undefined) {
    throw new CliError(
      `A node daemon already runs for this config (pid ${running}): see \`infernet status\`, or run \`infernet stop\` first.`,
    );
  }
  if (readPidFile(files.pidFile) !== undefined) {
    output.error(`Removed a stale pid file ${files.pidFile}: its daemon is gone.`);
  }
  removeStaleFiles(files);
  ensurePrivateDirectory(files.directory);

  const logDescriptor = openSync(files.logFile, 'a', 0o600);
  const logOffset = statSync(files.logFile).size;
  const child = (() => {
    try {
      return spawn(process.execPath, [BINARY, ...childArguments(flags)], {
        detached: true,
        stdio: ['ignore', logDescriptor, logDescriptor],
        env: definedOnly(context.environment),
        // Holds no directory the operator may want to unmount.
        cwd: files.directory,
      });
    } finally {
      closeSync(logDescriptor);
    }
  })();
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not be started: ${error.message}`));
    child.once('exit', (code, signal) =>
      resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
  });
  child.unref();

  const pid = child.pid;
  const outcome = await waitUntilReady(files, pid, exited);
  if (outcome.ready) {
    output.line(`Started the node daemon (pid ${pid}).`);
    output.line(`Logs:    ${files.logFile} (follow them with \`infernet logs -f\`)`);
    output.line(
      'Check it with `infernet status` or `infernet stats`; `infernet stop` stops it after running jobs finish.',
    );
    return EXIT_OK;
  }
  if (outcome.exit === undefined) {
    throw new CliError(
      `The node daemon (pid ${pid}) did not answer on ${files.socket} within ${READY_TIMEOUT_MS / 1000} s. See \`infernet logs\`; stop it with \`infernet stop\`.`,
    );
  }
  const lines = startupLogLines(files, logOffset);
  throw new CliError(
    `The node daemon ${outcome.exit} during startup.${lines ? ` Its log (${files.logFile}):\n${lines}` : ''}`,
  );
}

async function waitUntilReady(
  files: DaemonFiles,
  pid: number | undefined,
  exited: Promise<string>,
): Promise<{ ready: true } | { ready: false; exit: string | undefined }> {
  let exit: string | undefined;
  void exited.then((reason) => (exit = reason));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const answer = await callDaemon(files.socket, 'ping', { timeoutMs: 2_000 }).then(
      (call) => call.data,
      () => undefined,
    );
    // Another daemon's answer means ours lost a race for the pid file and is exiting.
    if (answer?.pid === pid && pid !== undefined) return { ready: true };
    if (exit !== undefined) return { ready: false, exit };
    const reason = await Promise.race([
      exited,
      new Promise<undefined>((resolve) => setTimeout(resolve, READY_RETRY_MS)),
    ]);
    if (reason !== undefined) return { ready: false, exit: reason };
  }
  return { ready: false, exit };
}

/** The flags the daemon was started with, passed on to the detached process. */
export function childArguments(flags: SharedFlags): string[] {
  const args = ['start', '--foreground', '--log-to-file'];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) args.push(name, value);
  };
  add('--control-plane', flags.controlPlane);
  add('--name', flags.name);
  add('--engine', flags.engine);
  add('--engine-url', flags.engineUrl);
  for (const model of flags.model === undefined ? [] : [flags.model].flat()) {
    args.push('--model', model);
  }
  add('--max-concurrent', flags.maxConcurrent);
  add('--drain-timeout', flags.drainTimeout);
  add('--log-level', flags.logLevel);
  if (flags.advertise === false) args.push('--no-advertise');
  add('--p2p-port', flags.p2pPort);
  if (flags.p2p === false) args.push('--no-p2p');
  return args;
}

function definedOnly(environment: CommandContext['environment']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

function startupLogLines(files: DaemonFiles, offset: number): string {
  try {
    const text = readFileSync(files.logFile).subarray(offset).toString('utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .slice(-STARTUP_LOG_LINES)
      .map((line) => `  ${formatLogLine(line)}`)
      .join('\n');
  } catch {
    return '';
  }
}
