import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DEFAULT_P2P_PORT, P2P_HANDSHAKE_TIMEOUT_MS, type P2pInfo } from '@infernet/protocol';
import { FramedSocket } from './framed-socket';
import { performHandshake, type AuthenticatedPeer, type P2pIdentity } from './handshake';

export interface PeerConnection {
  peer: AuthenticatedPeer;
  info(): Promise<P2pInfo>;
  /** Round-trip time of one ping, in milliseconds. */
  ping(): Promise<number>;
  close(): void;
}

/**
 * Dials a peer and runs the signed handshake as the initiator. Rejects with
 * `PeerDropped` (reason and message) when the peer cannot be proven, or a
 * connection error when it cannot be reached.
 */
export async function connectToPeer(options: {
  host: string;
  port: number;
  identity: P2pIdentity;
  timeoutMs?: number;
}): Promise<PeerConnection> {
  const timeoutMs = options.timeoutMs ?? P2P_HANDSHAKE_TIMEOUT_MS;
  const socket = connect({ host: options.host, port: options.port });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to ${options.host}:${options.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  const channel = new FramedSocket(socket);
  const peer = await performHandshake(channel, {
    identity: options.identity,
    role: 'initiator',
    timeoutMs,
  });

  async function request<Type extends 'info' | 'pong'>(type: Type) {
    const timer = setTimeout(() => channel.drop('IDLE_TIMEOUT', `no ${type} in time`), timeoutMs);
    try {
      const answer = await channel.receive();
      if (answer.type !== type) {
        throw channel.drop('UNEXPECTED_MESSAGE', `expected ${type}, got ${answer.type}`);
      }
      return answer as Extract<typeof answer, { type: Type }>;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    peer,
    async info() {
      channel.send({ type: 'info-request' });
      return request('info');
    },
    async ping() {
      const nonce = randomBytes(8).toString('hex');
      const started = performance.now();
      channel.send({ type: 'ping', nonce });
      const pong = await request('pong');
      if (pong.nonce !== nonce) throw channel.drop('UNEXPECTED_MESSAGE', 'pong for another ping');
      return performance.now() - started;
    },
    close: () => channel.close(),
  };
}

/** "host:port", "[v6]:port", "host" or "[v6]" (the default port) → host and port. */
export function parsePeerAddress(value: string): { host: string; port: number } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(value);
  const match = bracketed ?? plain;
  if (!match) return undefined;
  const port = match[2] === undefined ? DEFAULT_P2P_PORT : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: match[1]!, port };
}
