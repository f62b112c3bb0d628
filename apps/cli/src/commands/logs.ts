import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  unwatchFile,
  watchFile,
} from 'node:fs';
import { CliError, EXIT_OK, UsageError } from '../cli-error';
import type { CommandContext } from '../context';
import { daemonFiles } from '../daemon/daemon-files';
import { formatLogLine } from '../daemon/log-format';
import { LOG_FILES_KEPT } from '../daemon/log-file';

export interface LogsFlags {
  follow?: boolean;
  lines?: string;
  json?: boolean;
}

const DEFAULT_LINES = 50;
/** How often `-f` looks at the file; `tail -F` polls at 1 s. */
const FOLLOW_INTERVAL_MS = 250;

/**
 * Prints the last lines of the detached daemon's log (`daemon.log`, and the
 * rotated files before it when it holds fewer), formatted for humans, or as
 * the JSON lines they are with `--json`. `-f` keeps printing new lines,
 * across rotations, until interrupted.
 */
export async function logsCommand(context: CommandContext, flags: LogsFlags): Promise<number> {
  const { output } = context;
  const count = parseLineCount(flags.lines);
  const { logFile } = daemonFiles(context.environment);
  if (!existsSync(logFile) && !flags.follow) {
    throw new CliError(
      `No log file at ${logFile} yet: it appears once \`infernet start\` runs the daemon in the background (a --foreground daemon logs to its own stdout).`,
    );
  }
  const print = (line: string) => output.line(flags.json ? line : formatLogLine(line));
  for (const line of lastLines(logFile, count)) print(line);
  if (flags.follow) await follow(logFile, print);
  return EXIT_OK;
}

function parseLineCount(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LINES;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) {
    throw new UsageError(`-n takes a whole number of lines (got "${value}").`);
  }
  return count;
}

/** The last `count` lines across `daemon.log` and its rotated predecessors, oldest first. */
function lastLines(logFile: string, count: number): string[] {
  const collected: string[] = [];
  const paths = [
    logFile,
    ...Array.from({ length: LOG_FILES_KEPT - 1 }, (_, i) => `${logFile}.${i + 1}`),
  ];
  for (const path of paths) {
    if (collected.length >= count) break;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    collected.unshift(...lines.slice(Math.max(lines.length - (count - collected.length), 0)));
  }
  return collected;
}

/** Prints lines appended to `path` until SIGINT or SIGTERM; starts over when the file is rotated. */
function follow(path: string, print: (line: string) => void): Promise<void> {
  let position = existsSync(path) ? statSync(path).size : 0;
  let inode = existsSync(path) ? statSync(path).ino : 0;
  let partial = '';
  const readNew = () => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return; // Rotating: the new file is not there yet.
    }
    if (stats.ino !== inode || stats.size < position) {
      inode = stats.ino;
      position = 0;
      partial = '';
    }
    if (stats.size <= position) return;
    const buffer = Buffer.alloc(stats.size - position);
    const descriptor = openSync(path, 'r');
    try {
      readSync(descriptor, buffer, 0, buffer.length, position);
    } finally {
      closeSync(descriptor);
    }
    position = stats.size;
    const lines = (partial + buffer.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') print(line);
  };
  return new Promise((resolve) => {
    watchFile(path, { interval: FOLLOW_INTERVAL_MS }, readNew);
    const finish = () => {
      unwatchFile(path, readNew);
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      resolve();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
  });
}
