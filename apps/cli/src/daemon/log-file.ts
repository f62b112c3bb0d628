import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Size at which the log file is rotated. */
export const LOG_FILE_MAX_BYTES = 10 * 1024 * 1024;
/** Files kept: the current one and this many less one rotated ones (`daemon.log.1`, `.2`). */
export const LOG_FILES_KEPT = 3;

/**
 * An append-only log file that rotates by size, for pino: each `write` is
 * one synchronous append (a log line is never split or lost on exit), and a
 * line that would take the file past `maxBytes` first moves `daemon.log` to
 * `daemon.log.1` (and `.1` to `.2`, …), dropping the oldest. At most
 * `files × maxBytes` of logs stay on disk. The files are 0600: logs name
 * jobs and models, and that is the operator's business only.
 *
 * Written here rather than taken from pino-roll, which is not installed;
 * rotation at this volume needs no worker thread.
 */
export class RotatingLogFile {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #files: number;
  #descriptor: number;
  #size: number;

  constructor(
    path: string,
    {
      maxBytes = LOG_FILE_MAX_BYTES,
      files = LOG_FILES_KEPT,
    }: { maxBytes?: number; files?: number } = {},
  ) {
    this.path = path;
    this.#maxBytes = maxBytes;
    this.#files = Math.max(files, 1);
    this.#descriptor = openSync(path, 'a', 0o600);
    this.#size = fstatSync(this.#descriptor).size;
    if (this.#size >= maxBytes) this.#rotate();
  }

  write(line: string): boolean {
    const bytes = Buffer.from(line, 'utf8');
    if (this.#size > 0 && this.#size + bytes.length > this.#maxBytes) this.#rotate();
    writeSync(this.#descriptor, bytes);
    this.#size += bytes.length;
    return true;
  }

  close(): void {
    closeSync(this.#descriptor);
  }

  #rotate(): void {
    closeSync(this.#descriptor);
    if (this.#files === 1) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${this.#files - 1}`, { force: true });
      for (let index = this.#files - 2; index >= 1; index -= 1) {
        renameIfPresent(`${this.path}.${index}`, `${this.path}.${index + 1}`);
      }
      renameIfPresent(this.path, `${this.path}.1`);
    }
    this.#descriptor = openSync(this.path, 'a', 0o600);
    this.#size = 0;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
