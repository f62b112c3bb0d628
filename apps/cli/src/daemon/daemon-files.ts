import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli-error';
import { configDirectory, type Environment } from '../config';

/** Where a daemon keeps its run-time files: all in the config directory (0700). */
export interface DaemonFiles {
  directory: string;
  pidFile: string;
  socket: string;
  logFile: string;
}

export function daemonFiles(environment: Environment): DaemonFiles {
  const directory = configDirectory(environment);
  return {
    directory,
    pidFile: join(directory, 'daemon.pid'),
    socket: join(directory, 'daemon.sock'),
    logFile: join(directory, 'daemon.log'),
  };
}

/** Creates the config directory readable only by this user, as `init` does. */
export function ensurePrivateDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  chmodSync(directory, 0o700);
}

/** The pid in the pid file, or undefined when there is none (or it holds no pid). */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live process: a zombie (exited, not yet reaped) counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Whether a live `pid` looks like an infernet daemon. After a reboot the pid
 * in a leftover pid file may belong to anything; where `/proc` tells, a
 * process whose command line does not mention infernet is not ours.
 */
export function looksLikeDaemon(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('infernet');
  } catch {
    return true;
  }
}

/** The pid of a daemon that runs for these files, if any. */
export function runningDaemonPid(files: DaemonFiles): number | undefined {
  const pid = readPidFile(files.pidFile);
  return pid !== undefined && isProcessAlive(pid) && looksLikeDaemon(pid) ? pid : undefined;
}

/**
 * Claims the pid file for `pid`, created exclusively (0600). A pid file left
 * by a daemon that is gone is removed first; one held by a live daemon is a
 * refusal, so two daemons never serve the same identity from one config.
 */
export function acquirePidFile(files: DaemonFiles, pid: number): void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const descriptor = openSync(files.pidFile, 'wx', 0o600);
      try {
        writeSync(descriptor, `${pid}\n`);
      } finally {
        closeSync(descriptor);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CliError(
          `Cannot write the pid file ${files.pidFile}: ${(error as Error).message}.`,
          { cause: error },
        );
      }
    }
    const holder = readPidFile(files.pidFile);
    if (
      holder !== undefined &&
      holder !== pid &&
      isProcessAlive(holder) &&
      looksLikeDaemon(holder)
    ) {
      throw new CliError(
        `A node daemon already runs for this config (pid ${holder}): see \`infernet status\`, or run \`infernet stop\` first.`,
      );
    }
    // Stale: its daemon is gone (crashed, killed, or the machine rebooted).
    rmSync(files.pidFile, { force: true });
  }
  throw new CliError(`Cannot claim the pid file ${files.pidFile}: another daemon is starting.`);
}

/** Removes the pid file if it is still ours. */
export function releasePidFile(files: DaemonFiles, pid: number): void {
  if (readPidFile(files.pidFile) === pid) rmSync(files.pidFile, { force: true });
}

/** Removes what a daemon that is gone left behind. */
export function removeStaleFiles(files: DaemonFiles): void {
  rmSync(files.pidFile, { force: true });
  rmSync(files.socket, { force: true });
}
