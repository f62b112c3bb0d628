import { CliError, EXIT_NOT_RUNNING, EXIT_OK } from '../cli-error';
import type { CommandContext } from '../context';
import {
  daemonFiles,
  isProcessAlive,
  readPidFile,
  removeStaleFiles,
  runningDaemonPid,
} from '../daemon/daemon-files';
import { DaemonNotRunningError, callDaemon } from '../daemon/ipc-client';

/** Beyond the drain timeout: handing jobs back and the goodbye heartbeat. */
const EXIT_GRACE_MS = 30_000;
/** Used when the daemon cannot tell its drain timeout (no socket): the default 60 s plus grace. */
const SIGNAL_WAIT_MS = 90_000;
const EXIT_POLL_MS = 100;

/**
 * Stops the daemon the way SIGTERM does: it takes no new jobs, lets running
 * ones finish (up to its drain timeout), hands back the rest and exits.
 * Asks over the control socket and waits for the daemon to exit; when the
 * socket is dead but the pid file names a live daemon, sends SIGTERM.
 * Exit 3 when no daemon runs.
 */
export async function stopCommand(context: CommandContext): Promise<number> {
  const { output } = context;
  const files = daemonFiles(context.environment);
  let socketProblem: unknown;
  const shutdown = await callDaemon(files.socket, 'shutdown', { keepOpen: true }).catch(
    (error: unknown) => {
      socketProblem = error;
      return undefined;
    },
  );

  if (shutdown) {
    const { pid, runningJobs, drainTimeoutSeconds } = shutdown.data;
    output.line(
      runningJobs === 0
        ? `Stopping the node daemon (pid ${pid})…`
        : `Stopping the node daemon (pid ${pid}): letting ${runningJobs} running job${runningJobs === 1 ? '' : 's'} finish (up to ${drainTimeoutSeconds} s)…`,
    );
    // The daemon keeps this connection open until it exits.
    const limitMs = drainTimeoutSeconds * 1000 + EXIT_GRACE_MS;
    const closed = await Promise.race([
      shutdown.closed.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), limitMs).unref()),
    ]);
    shutdown.close();
    if (!closed || !(await waitForExit(pid, EXIT_GRACE_MS))) throw stillRunning(pid, limitMs);
    output.line('Stopped.');
    return EXIT_OK;
  }

  const pid = runningDaemonPid(files);
  if (pid !== undefined) {
    output.line(
      `The node daemon (pid ${pid}) does not answer on ${files.socket}; sending it SIGTERM (running jobs finish first)…`,
    );
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, SIGNAL_WAIT_MS))) throw stillRunning(pid, SIGNAL_WAIT_MS);
    removeStaleFiles(files);
    output.line('Stopped.');
    return EXIT_OK;
  }

  // A socket that answers badly with no live daemon behind the pid file: say what went wrong.
  if (socketProblem !== undefined && !(socketProblem instanceof DaemonNotRunningError)) {
    throw socketProblem;
  }
  const stale = readPidFile(files.pidFile) !== undefined;
  removeStaleFiles(files);
  output.error(
    stale
      ? `No node daemon is running (removed the stale pid file ${files.pidFile}).`
      : `No node daemon is running for this config (no pid file at ${files.pidFile}). Start one with \`infernet start\`.`,
  );
  return EXIT_NOT_RUNNING;
}

function stillRunning(pid: number, waitedMs: number): CliError {
  return new CliError(
    `The node daemon (pid ${pid}) is still running after ${Math.round(waitedMs / 1000)} s: its jobs may be slow to finish. See \`infernet logs\`; \`kill -TERM ${pid}\` twice exits it at once.`,
  );
}

/** Resolves true once `pid` has exited, false after `timeoutMs`. */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
  return true;
}
