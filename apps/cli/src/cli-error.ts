/**
 * Exit codes: 0 ok, 1 the command failed, 2 it was called wrongly, 3 no
 * node daemon runs (`stop`, `status`, `stats`; as LSB init scripts and
 * `systemctl status` use 3 for "not running").
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_NOT_RUNNING = 3;

/** A failure with a message that tells the user what to do next. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
}

/** The command line itself is wrong: bad flag value, missing argument. */
export class UsageError extends CliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT_USAGE });
    this.name = 'UsageError';
  }
}
