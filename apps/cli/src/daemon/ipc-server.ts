import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../output';
import { describeError } from './connectivity';
import {
  IpcRequestSchema,
  LineReader,
  MAX_REQUEST_LINE_BYTES,
  encodeLine,
  isIpcCommand,
  parseJsonLine,
  type IpcCommand,
  type IpcCommandData,
  type IpcErrorCode,
  type IpcRequest,
} from './ipc-protocol';

export type IpcHandlers = {
  [Command in IpcCommand]: () => IpcCommandData[Command] | Promise<IpcCommandData[Command]>;
};

export interface IpcServer {
  readonly socketPath: string;
  /**
   * Stops accepting connections and removes the socket file. Open
   * connections stay open until the process exits, so a client waiting for
   * the daemon to end (`infernet stop`) sees its connection close only then.
   */
  close(): void;
}

/** Connections at once; `infernet` commands open one each, briefly. */
const MAX_CONNECTIONS = 32;

/**
 * Listens on `socketPath` (any file there is assumed stale: the caller holds
 * the pid file) and answers newline-delimited JSON requests with
 * `handlers`. A bad request gets an error answer; nothing a client sends
 * throws out of here.
 */
export async function startIpcServer(options: {
  socketPath: string;
  handlers: IpcHandlers;
  logger: Logger;
}): Promise<IpcServer> {
  const { socketPath, handlers, logger } = options;
  rmSync(socketPath, { force: true });
  const server = createServer((socket) => serveConnection(socket, handlers, logger));
  server.maxConnections = MAX_CONNECTIONS;
  await listen(server, socketPath);
  // The directory is 0700 already; the socket gets 0600 too, so no other user can connect.
  chmodSync(socketPath, 0o600);
  server.on('error', (error) =>
    logger.warn({ error: describeError(error) }, 'the control socket failed'),
  );
  return {
    socketPath,
    close() {
      server.close();
      rmSync(socketPath, { force: true });
    },
  };
}

function listen(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function serveConnection(socket: Socket, handlers: IpcHandlers, logger: Logger): void {
  const reader = new LineReader(MAX_REQUEST_LINE_BYTES);
  // Requests on one connection are answered in order, one at a time.
  let queue = Promise.resolve();
  socket.on('error', () => {
    // The client went away; nothing to answer.
  });
  socket.on('data', (chunk: Buffer) => {
    const { lines, overflow } = reader.push(chunk);
    for (const line of lines) {
      if (line.trim() === '') continue;
      queue = queue.then(async () => {
        const response = await answer(line, handlers, logger);
        if (!socket.destroyed) socket.write(encodeLine(response));
      });
    }
    if (overflow) {
      socket.pause();
      queue = queue.then(() => {
        const message = `Request line longer than ${MAX_REQUEST_LINE_BYTES} bytes; closing the connection.`;
        if (!socket.destroyed) socket.end(encodeLine(failure(undefined, 'LINE_TOO_LONG', message)));
      });
    }
  });
}

async function answer(line: string, handlers: IpcHandlers, logger: Logger): Promise<unknown> {
  const parsed = parseJsonLine(line);
  if (!parsed.ok) return failure(undefined, 'BAD_REQUEST', `Not JSON: ${parsed.message}`);
  const request = IpcRequestSchema.safeParse(parsed.value);
  if (!request.success) {
    return failure(
      undefined,
      'BAD_REQUEST',
      'Expected {"command": "ping" | "status" | "stats" | "shutdown", "id"?: string | number}.',
    );
  }
  const { id, command } = request.data;
  if (!isIpcCommand(command)) {
    return failure(
      id,
      'UNKNOWN_COMMAND',
      `Unknown command "${command.slice(0, 64)}"; known: ping, status, stats, shutdown.`,
    );
  }
  try {
    const data = await handlers[command]();
    return { ...(id === undefined ? {} : { id }), ok: true, data };
  } catch (error) {
    logger.error({ command, error: describeError(error) }, 'a control socket command failed');
    return failure(id, 'INTERNAL', `The daemon could not answer ${command}.`);
  }
}

function failure(id: IpcRequest['id'], code: IpcErrorCode, message: string) {
  return { ...(id === undefined ? {} : { id }), ok: false, error: { code, message } };
}
