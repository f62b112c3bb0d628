import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  P2P_HANDSHAKE_TIMEOUT_MS,
  P2P_IDLE_TIMEOUT_MS,
  P2P_MAX_FRAME_BYTES,
  P2P_PROTOCOL_VERSION,
  type P2pInfo,
} from '@infernet/protocol';
import type { Logger } from '../output';
import { FramedSocket, PeerDropped } from './framed-socket';
import { performHandshake, type P2pIdentity } from './handshake';

/** Connections held at once; more are closed at accept. */
const MAX_CONNECTIONS = 64;

export interface P2pServerOptions {
  identity: P2pIdentity;
  /** 0 picks a free port (tests). */
  port: number;
  /** What `info` answers with, read at each request (the served models change). */
  info(): Omit<P2pInfo, 'type' | 'protocol'>;
  logger: Logger;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxFrameBytes?: number;
}

export interface P2pServer {
  /** The port actually listened on. */
  port: number;
  /** `::` (dual-stack) or `0.0.0.0` where IPv6 is unavailable. */
  host: string;
  close(): Promise<void>;
}

/**
 * Listens on the P2P port, dual-stack (`::` also accepting IPv4-mapped
 * peers; `0.0.0.0` where the host has no IPv6). Each connection must finish
 * the signed handshake first; after that it may ask for `info` and `ping`.
 * Anything else drops it, with one log line saying why (no key material).
 */
export async function startP2pServer(options: P2pServerOptions): Promise<P2pServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    if (sockets.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    void serveConnection(socket, options);
  });
  const host = await listenDualStack(server, options.port);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Listens on `::` (IPv4-mapped too), else on `0.0.0.0` where IPv6 is unavailable; returns the host. */
export async function listenDualStack(server: Server, port: number): Promise<string> {
  const listen = (host: string, ipv6Only?: boolean) =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen({ port, host, ...(ipv6Only === undefined ? {} : { ipv6Only }) }, () => {
        server.off('error', onError);
        resolve();
      });
    });
  try {
    await listen('::', false);
    return '::';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No IPv6 on this host (a container without it, say): IPv4 only.
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL' && code !== 'EINVAL') throw error;
    await listen('0.0.0.0');
    return '0.0.0.0';
  }
}

async function serveConnection(socket: Socket, options: P2pServerOptions): Promise<void> {
  const { logger } = options;
  const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  const channel = new FramedSocket(socket, {
    maxFrameBytes: options.maxFrameBytes ?? P2P_MAX_FRAME_BYTES,
  });
  let peerKey: string | undefined;
  try {
    const peer = await performHandshake(channel, {
      identity: options.identity,
      role: 'responder',
      timeoutMs: options.handshakeTimeoutMs ?? P2P_HANDSHAKE_TIMEOUT_MS,
    });
    peerKey = peer.publicKey;
    logger.info({ peer: remote, peerKey: shortKey(peerKey) }, 'p2p peer authenticated');
    await answerRequests(channel, options);
  } catch (error) {
    if (!(error instanceof PeerDropped)) {
      channel.drop('CLOSED', 'internal error');
      socket.destroy();
      logger.warn({ peer: remote, error: (error as Error).message }, 'p2p connection failed');
      return;
    }
    const fields = { peer: remote, reason: error.reason, detail: error.message };
    if (peerKey) Object.assign(fields, { peerKey: shortKey(peerKey) });
    if (error.reason === 'CLOSED') logger.debug(fields, 'p2p peer disconnected');
    else logger.warn(fields, 'p2p peer dropped');
  }
}

async function answerRequests(channel: FramedSocket, options: P2pServerOptions): Promise<never> {
  const idleTimeoutMs = options.idleTimeoutMs ?? P2P_IDLE_TIMEOUT_MS;
  for (;;) {
    const timer = setTimeout(
      () => channel.drop('IDLE_TIMEOUT', `nothing for ${idleTimeoutMs} ms`),
      idleTimeoutMs,
    );
    const message = await channel.receive().finally(() => clearTimeout(timer));
    switch (message.type) {
      case 'info-request':
        channel.send({ type: 'info', ...options.info(), protocol: P2P_PROTOCOL_VERSION });
        break;
      case 'ping':
        channel.send({ type: 'pong', nonce: message.nonce });
        break;
      default:
        throw channel.drop('UNEXPECTED_MESSAGE', `unexpected ${message.type} after the handshake`);
    }
  }
}

/** The first 8 hex characters: enough to tell peers apart in a log. */
function shortKey(publicKey: string): string {
  return publicKey.slice(0, 8);
}
