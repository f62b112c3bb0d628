import { pino, type Logger as PinoLogger } from 'pino';

/**
 * The only place the CLI prints. Commands write through an `Output`, so
 * tests can capture it and nothing else touches stdout or stderr.
 */
export interface Output {
  /** Raw text to stdout, e.g. streamed tokens. */
  write(text: string): void;
  /** One line to stdout. */
  line(text?: string): void;
  /** One line to stderr: warnings and errors. */
  error(text: string): void;
  /** Raw text to stderr (commander's usage messages). */
  writeError(text: string): void;
  json(value: unknown): void;
  /** Whether stdout is a terminal (tables and colour) or a pipe. */
  readonly interactive: boolean;
}

export function createProcessOutput(): Output {
  return {
    write: (text) => void process.stdout.write(text),
    line: (text = '') => void process.stdout.write(`${text}\n`),
    error: (text) => void process.stderr.write(`${text}\n`),
    writeError: (text) => void process.stderr.write(text),
    json: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    interactive: Boolean(process.stdout.isTTY),
  };
}

/** The structural logger the daemon uses; pino's satisfies it, tests pass a recorder. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * JSON lines for the daemon: on stdout for `--foreground`, else into
 * `destination` (the rotating `daemon.log`). No hostname in `base` (the
 * node leaks as little as possible, even to its own logs), and the
 * redaction list is a second guard: callers already never log keys,
 * auth headers or prompt text.
 */
export function createDaemonLogger(
  level: string,
  destination: { write(line: string): unknown } = pino.destination({ dest: 1, sync: true }),
): PinoLogger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['privateKey', '*.privateKey', 'headers', '*.headers', 'messages', '*.messages'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** A table with padded columns, for human output. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)].join('\n');
}
