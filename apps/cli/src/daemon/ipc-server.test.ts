import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../testing/recording-logger';
import { DaemonNotRunningError, callDaemon, queryDaemon } from './ipc-client';
import {
  IpcResponseSchema,
  LineReader,
  MAX_REQUEST_LINE_BYTES,
  type IpcResponse,
  type StatsData,
} from './ipc-protocol';
import { startIpcServer, type IpcHandlers, type IpcServer } from './ipc-server';

const STATS: StatsData = {
  uptimeSeconds: 12,
  jobs: { running: 1, completed: 3, failed: 1 },
  tokens: { served: 120, perSecondRecent: 42.5 },
  earnings: null,
};

/** A raw client: writes bytes, reads answer lines and sees the connection close. */
function rawClient(socketPath: string) {
  const socket: Socket = createConnection(socketPath);
  const answers: IpcResponse[] = [];
  const waiters: (() => void)[] = [];
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) answers.push(IpcResponseSchema.parse(JSON.parse(line)));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    closed,
    send: (text: string | Buffer) => socket.write(text),
    /** Resolves once `count` answers have arrived. */
    async answers(count: number): Promise<IpcResponse[]> {
      while (answers.length < count) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return answers.slice(0, count);
    },
  };
}

describe('the control socket', () => {
  let directory: string;
  let socketPath: string;
  let server: IpcServer | undefined;
  let recorded: ReturnType<typeof recordingLogger>;
  let shutdowns: number;

  const handlers: IpcHandlers = {
    ping: () => ({ pong: true, pid: process.pid, version: '0.1.0', protocol: 1 }),
    status: () => {
      throw new Error('status exploded');
    },
    stats: () => STATS,
    shutdown: () => {
      shutdowns += 1;
      return { draining: true, pid: process.pid, runningJobs: 0, drainTimeoutSeconds: 60 };
    },
  };

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'infernet-ipc-'));
    socketPath = join(directory, 'daemon.sock');
    recorded = recordingLogger();
    shutdowns = 0;
    server = await startIpcServer({ socketPath, handlers, logger: recorded.logger });
  });
  afterEach(() => {
    server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('is a socket only its owner can open', () => {
    expect(statSync(socketPath).isSocket()).toBe(true);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
  });

  it('answers a validated command through the client', async () => {
    await expect(queryDaemon(socketPath, 'stats')).resolves.toEqual(STATS);
    const ping = await callDaemon(socketPath, 'ping');
    expect(ping.data).toMatchObject({ pong: true, pid: process.pid });
  });

  it('answers requests in order, whether they arrive together or in pieces, echoing ids', async () => {
    const client = rawClient(socketPath);
    client.send('{"id":"a","command":"ping"}\n{"id":2,"comm');
    client.send('and":"stats"}\n');
    const [first, second] = await client.answers(2);
    expect(first).toMatchObject({ id: 'a', ok: true, data: { pong: true } });
    expect(second).toMatchObject({ id: 2, ok: true, data: STATS });
    client.socket.destroy();
  });

  it('answers a malformed line with BAD_REQUEST and keeps the connection usable', async () => {
    const client = rawClient(socketPath);
    client.send('this is not json\n');
    client.send('{"cmd":"ping"}\n');
    client.send('[1,2,3]\n');
    client.send('{"command":"ping"}\n');
    const answers = await client.answers(4);
    expect(answers.slice(0, 3).map((answer) => !answer.ok && answer.error.code)).toEqual([
      'BAD_REQUEST',
      'BAD_REQUEST',
      'BAD_REQUEST',
    ]);
    expect(answers[3]).toMatchObject({ ok: true, data: { pong: true } });
    client.socket.destroy();
  });

  it('answers an unknown command with UNKNOWN_COMMAND, naming the known ones', async () => {
    const client = rawClient(socketPath);
    client.send('{"id":7,"command":"format-disk"}\n');
    const [answer] = await client.answers(1);
    expect(answer).toMatchObject({ id: 7, ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(!answer?.ok && answer?.error.message).toContain('ping, status, stats, shutdown');
    expect(shutdowns).toBe(0);
    client.socket.destroy();
  });

  it('refuses an oversized line and closes that connection, without buffering it', async () => {
    const client = rawClient(socketPath);
    client.send(Buffer.alloc(MAX_REQUEST_LINE_BYTES + 10, 'x'));
    const [answer] = await client.answers(1);
    expect(answer).toMatchObject({ ok: false, error: { code: 'LINE_TOO_LONG' } });
    await client.closed;
    // The server itself is fine.
    await expect(queryDaemon(socketPath, 'stats')).resolves.toEqual(STATS);
  });

  it('answers a handler failure with INTERNAL, logs it, and keeps serving', async () => {
    await expect(callDaemon(socketPath, 'status')).rejects.toThrow(/INTERNAL/);
    await recorded.logged('a control socket command failed');
    await expect(queryDaemon(socketPath, 'stats')).resolves.toEqual(STATS);
  });

  it('keeps a shutdown connection open until the daemon goes away', async () => {
    const call = await callDaemon(socketPath, 'shutdown', { keepOpen: true });
    expect(call.data).toMatchObject({ draining: true });
    expect(shutdowns).toBe(1);
    let closed = false;
    void call.closed.then(() => (closed = true));
    // Closing the server (as the daemon does on its way out) leaves the connection to the exit.
    server?.close();
    expect(closed).toBe(false);
    call.close();
    await call.closed;
  });

  it('reports no daemon when nothing listens, and removes its socket on close', async () => {
    server?.close();
    server = undefined;
    expect(() => statSync(socketPath)).toThrow();
    await expect(queryDaemon(socketPath, 'status')).resolves.toBeUndefined();
    await expect(callDaemon(socketPath, 'ping')).rejects.toBeInstanceOf(DaemonNotRunningError);
    await expect(callDaemon(socketPath, 'ping')).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe('LineReader', () => {
  it('splits lines across chunks and drops a trailing CR', () => {
    const reader = new LineReader(16);
    expect(reader.push(Buffer.from('ab'))).toEqual({ lines: [], overflow: false });
    expect(reader.push(Buffer.from('c\r\nde\nf'))).toEqual({
      lines: ['abc', 'de'],
      overflow: false,
    });
    expect(reader.push(Buffer.from('\n'))).toEqual({ lines: ['f'], overflow: false });
  });

  it('reports overflow once a line passes the limit, and stays done', () => {
    const reader = new LineReader(4);
    expect(reader.push(Buffer.from('ok\n12345'))).toEqual({ lines: ['ok'], overflow: true });
    expect(reader.push(Buffer.from('\nmore\n'))).toEqual({ lines: [], overflow: true });
    expect(reader.overflowed).toBe(true);
  });

  it('counts bytes, not characters', () => {
    const reader = new LineReader(4);
    expect(reader.push(Buffer.from('ééé\n')).overflow).toBe(true);
  });
});
