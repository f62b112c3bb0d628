import { createConnection } from 'node:net';
import { CliError, EXIT_NOT_RUNNING } from '../cli-error';
import {
  IPC_DATA_SCHEMAS,
  IpcResponseSchema,
  LineReader,
  MAX_RESPONSE_LINE_BYTES,
  encodeLine,
  parseJsonLine,
  type IpcCommand,
  type IpcCommandData,
} from './ipc-protocol';

/** Nothing listens on the control socket: no daemon runs for this config. */
export class DaemonNotRunningError extends CliError {
  constructor(socketPath: string, options: { cause?: unknown } = {}) {
    super(
      `No node daemon is running for this config (nothing answers on ${socketPath}). Start one with \`infernet start\`.`,
      { ...options, exitCode: EXIT_NOT_RUNNING },
    );
    this.name = 'DaemonNotRunningError';
  }
}

const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'ENOTDIR']);
const DEFAULT_TIMEOUT_MS = 3_000;

export interface IpcCall<Command extends IpcCommand> {
  data: IpcCommandData[Command];
  /** With `keepOpen`: resolves when the daemon closes the connection, i.e. when it exits. */
  closed: Promise<void>;
  /** Closes the connection from this side. */
  close(): void;
}

/**
 * Sends one command to the daemon and returns its validated answer. Rejects
 * with `DaemonNotRunningError` when nothing listens, and with a `CliError`
 * when the daemon refuses, answers nonsense or takes longer than
 * `timeoutMs`. With `keepOpen` the connection stays open after the answer,
 * so the caller can wait for `closed`.
 */
export function callDaemon<Command extends IpcCommand>(
  socketPath: string,
  command: Command,
  options: { timeoutMs?: number; keepOpen?: boolean } = {},
): Promise<IpcCall<Command>> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, keepOpen = false } = options;
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const reader = new LineReader(MAX_RESPONSE_LINE_BYTES);
    let settled = false;
    const closed = new Promise<void>((resolveClosed) =>
      socket.once('close', () => resolveClosed()),
    );
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new CliError(
            `The node daemon did not answer \`${command}\` on ${socketPath} within ${timeoutMs / 1000} s. It may be stuck: see \`infernet logs\`.`,
          ),
        ),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(encodeLine({ id: 1, command })));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (NOT_LISTENING.has(error.code ?? ''))
        fail(new DaemonNotRunningError(socketPath, { cause: error }));
      else
        fail(
          new CliError(`Cannot talk to the node daemon on ${socketPath}: ${error.message}.`, {
            cause: error,
          }),
        );
    });
    socket.on('close', () =>
      fail(new CliError(`The node daemon closed the connection without answering \`${command}\`.`)),
    );
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      const { lines, overflow } = reader.push(chunk);
      const line = lines[0];
      if (line === undefined) {
        if (overflow) fail(new CliError('The node daemon sent an answer too long to read.'));
        return;
      }
      const data = readAnswer(line, command);
      if (data instanceof Error) {
        fail(data);
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (!keepOpen) socket.end();
      resolve({ data, closed, close: () => socket.destroy() });
    });
  });
}

function readAnswer<Command extends IpcCommand>(
  line: string,
  command: Command,
): IpcCommandData[Command] | CliError {
  const parsed = parseJsonLine(line);
  const response = parsed.ok ? IpcResponseSchema.safeParse(parsed.value) : undefined;
  if (!response?.success) {
    return new CliError(
      'The node daemon answered something this CLI cannot read: is it another version? Restart it with `infernet stop` and `infernet start`.',
    );
  }
  if (!response.data.ok) {
    return new CliError(
      `The node daemon refused \`${command}\`: ${response.data.error.message} [${response.data.error.code}]`,
    );
  }
  const data = IPC_DATA_SCHEMAS[command].safeParse(response.data.data);
  if (!data.success) {
    return new CliError(
      `The node daemon's answer to \`${command}\` has an unexpected shape: is it another version? Restart it with \`infernet stop\` and \`infernet start\`.`,
    );
  }
  return data.data;
}

/** The daemon's answer, or undefined when no daemon runs. */
export async function queryDaemon<Command extends IpcCommand>(
  socketPath: string,
  command: Command,
): Promise<IpcCommandData[Command] | undefined> {
  try {
    return (await callDaemon(socketPath, command)).data;
  } catch (error) {
    if (error instanceof DaemonNotRunningError) return undefined;
    throw error;
  }
}
