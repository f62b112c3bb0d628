import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  p2pChallenge,
  signP2pHandshake,
  type P2pHandshakeTranscript,
} from '@infernet/auth';
import { P2P_MAX_FRAME_BYTES, P2P_PROTOCOL_VERSION, type P2pMessage } from '@infernet/protocol';
import { recordingLogger } from '../testing/recording-logger';
import { encodeFrame, FrameDecoder } from './frames';
import { PeerDropped } from './framed-socket';
import { connectToPeer, parsePeerAddress } from './p2p-client';
import { startP2pServer, type P2pServer } from './p2p-server';

const serverKey = generateKeyPair();
const clientKey = generateKeyPair();
const INFO = { node_id: 'node-abc', name: 'gpu-one', models: ['llama3.2:1b'], version: '0.1.0' };

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(options: { handshakeTimeoutMs?: number } = {}) {
  const log = recordingLogger();
  const started: P2pServer = await startP2pServer({
    identity: serverKey,
    port: 0,
    info: () => INFO,
    logger: log.logger,
    ...options,
  });
  cleanup.push(() => started.close());
  return { ...started, log };
}

/** A hand-rolled peer: raw bytes out, every frame the server sends collected, and its close. */
async function rawPeer(port: number) {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  cleanup.push(() => void socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const decoder = new FrameDecoder();
  const received: P2pMessage[] = [];
  const waiters: { type: string; resolve: (message: P2pMessage) => void }[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const body of decoder.push(chunk)) {
      const message = JSON.parse(body) as P2pMessage;
      received.push(message);
      for (const waiter of waiters.filter((entry) => entry.type === message.type)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const next = <Type extends P2pMessage['type']>(type: Type) =>
    new Promise<Extract<P2pMessage, { type: Type }>>((resolve) => {
      const seen = received.find((message) => message.type === type);
      if (seen) resolve(seen as Extract<P2pMessage, { type: Type }>);
      else
        waiters.push({
          type,
          resolve: (message) => resolve(message as Extract<P2pMessage, { type: Type }>),
        });
    });
  return {
    received,
    closed,
    next,
    send: (message: unknown) => socket.write(encodeFrame(message)),
    write: (bytes: Buffer) => socket.write(bytes),
  };
}

describe('the P2P protocol', () => {
  it('completes the signed handshake both ways, then answers info and ping', async () => {
    const p2p = await server();
    const connection = await connectToPeer({
      host: '127.0.0.1',
      port: p2p.port,
      identity: clientKey,
    });
    cleanup.push(() => connection.close());
    expect(connection.peer).toEqual({
      publicKey: serverKey.publicKey,
      version: P2P_PROTOCOL_VERSION,
    });
    const info = await connection.info();
    expect(info).toEqual({ type: 'info', ...INFO, protocol: P2P_PROTOCOL_VERSION });
    expect(await connection.ping()).toBeGreaterThanOrEqual(0);
    const authenticated = await p2p.log.logged('p2p peer authenticated');
    expect(authenticated.fields.peerKey).toBe(clientKey.publicKey.slice(0, 8));
  });

  it('drops a peer whose proof does not verify before it can ask for info', async () => {
    const p2p = await server();
    const peer = await rawPeer(p2p.port);
    const challenge = p2pChallenge();
    peer.send({
      type: 'hello',
      version: P2P_PROTOCOL_VERSION,
      public_key: clientKey.publicKey,
      challenge,
    });
    const hello = await peer.next('hello');
    const transcript: P2pHandshakeTranscript = {
      initiator: { publicKey: clientKey.publicKey, challenge },
      responder: { publicKey: hello.public_key, challenge: hello.challenge },
    };
    // Signed by another key than the one the hello claims: an impostor.
    const impostor = generateKeyPair();
    const signature = signP2pHandshake({
      role: 'initiator',
      transcript: {
        ...transcript,
        initiator: { ...transcript.initiator, publicKey: impostor.publicKey },
      },
      privateKey: impostor.privateKey,
    });
    peer.send({ type: 'proof', signature });
    peer.send({ type: 'info-request' });
    peer.send({ type: 'ping', nonce: 'x' });
    await peer.closed;
    expect(peer.received.map((message) => message.type)).toEqual(['hello', 'proof', 'error']);
    expect(peer.received.at(-1)).toMatchObject({ code: 'BAD_SIGNATURE' });
    const dropped = await p2p.log.logged('p2p peer dropped');
    expect(dropped.fields.reason).toBe('BAD_SIGNATURE');
    // The log line carries no key material: neither the signature nor a challenge.
    const logged = JSON.stringify(dropped);
    for (const secret of [signature, challenge, hello.challenge])
      expect(logged).not.toContain(secret);
  });

  it('drops a peer that replays a proof made for another session', async () => {
    const p2p = await server();
    const first = await rawPeer(p2p.port);
    const challenge = p2pChallenge();
    const hello = { type: 'hello', version: 1, public_key: clientKey.publicKey, challenge };
    first.send(hello);
    const firstHello = await first.next('hello');
    const signature = signP2pHandshake({
      role: 'initiator',
      transcript: {
        initiator: { publicKey: clientKey.publicKey, challenge },
        responder: { publicKey: firstHello.public_key, challenge: firstHello.challenge },
      },
      privateKey: clientKey.privateKey,
    });
    first.send({ type: 'proof', signature });
    first.send({ type: 'info-request' });
    await first.next('info');

    // A recording of the first session, sent again: the server's new challenge defeats it.
    const replay = await rawPeer(p2p.port);
    replay.send(hello);
    replay.send({ type: 'proof', signature });
    replay.send({ type: 'info-request' });
    await replay.closed;
    expect(replay.received.map((message) => message.type)).toEqual(['hello', 'proof', 'error']);
    expect(replay.received.at(-1)).toMatchObject({ code: 'BAD_SIGNATURE' });
  });

  it('drops an authenticated peer that floods it with requests', async () => {
    const p2p = await server();
    const peer = await rawPeer(p2p.port);
    const challenge = p2pChallenge();
    peer.send({ type: 'hello', version: 1, public_key: clientKey.publicKey, challenge });
    const hello = await peer.next('hello');
    const signature = signP2pHandshake({
      role: 'initiator',
      transcript: {
        initiator: { publicKey: clientKey.publicKey, challenge },
        responder: { publicKey: hello.public_key, challenge: hello.challenge },
      },
      privateKey: clientKey.privateKey,
    });
    peer.send({ type: 'proof', signature });
    await p2p.log.logged('p2p peer authenticated');
    const ping = encodeFrame({ type: 'ping', nonce: 'n' });
    peer.write(Buffer.concat(Array.from({ length: 200 }, () => ping)));
    await peer.closed;
    expect(peer.received.at(-1)).toMatchObject({ type: 'error', code: 'FLOOD' });
    expect(peer.received.filter((message) => message.type === 'pong').length).toBeLessThan(200);
  });

  it('drops a peer that sends anything but hello first', async () => {
    const p2p = await server();
    const peer = await rawPeer(p2p.port);
    peer.send({ type: 'info-request' });
    await peer.closed;
    expect(peer.received.some((message) => message.type === 'info')).toBe(false);
    expect(peer.received.at(-1)).toMatchObject({ type: 'error', code: 'UNEXPECTED_MESSAGE' });
    expect((await p2p.log.logged('p2p peer dropped')).fields.reason).toBe('UNEXPECTED_MESSAGE');
  });

  it('drops a peer that announces an oversized frame, before buffering it', async () => {
    const p2p = await server();
    const peer = await rawPeer(p2p.port);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(P2P_MAX_FRAME_BYTES + 1);
    peer.write(header);
    await peer.closed;
    expect((await p2p.log.logged('p2p peer dropped')).fields.reason).toBe('FRAME_TOO_LARGE');
  });

  it('drops a peer that sends a frame that is not JSON, or speaks another version', async () => {
    const p2p = await server();
    const garbage = await rawPeer(p2p.port);
    const body = Buffer.from('{not json');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    garbage.write(Buffer.concat([header, body]));
    await garbage.closed;
    expect(garbage.received.at(-1)).toMatchObject({ code: 'BAD_MESSAGE' });

    const future = await rawPeer(p2p.port);
    future.send({
      type: 'hello',
      version: 2,
      public_key: clientKey.publicKey,
      challenge: p2pChallenge(),
    });
    await future.closed;
    expect(future.received.at(-1)).toMatchObject({ code: 'UNSUPPORTED_VERSION' });
  });

  it('drops a peer that stays silent past the handshake timeout', async () => {
    const p2p = await server({ handshakeTimeoutMs: 150 });
    const peer = await rawPeer(p2p.port);
    await peer.closed;
    expect(peer.received.map((message) => message.type)).toEqual(['hello', 'error']);
    expect((await p2p.log.logged('p2p peer dropped')).fields.reason).toBe('HANDSHAKE_TIMEOUT');
  });

  it('as a client, refuses a listener whose proof does not verify', async () => {
    const fake = createServer((socket) => {
      const decoder = new FrameDecoder();
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        for (const body of decoder.push(chunk)) {
          const message = JSON.parse(body) as P2pMessage;
          if (message.type === 'hello') {
            socket.write(
              encodeFrame({
                type: 'hello',
                version: 1,
                public_key: serverKey.publicKey,
                challenge: p2pChallenge(),
              }),
            );
            socket.write(encodeFrame({ type: 'proof', signature: '0'.repeat(128) }));
          }
        }
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => new Promise<void>((resolve) => fake.close(() => resolve())));
    const { port } = fake.address() as AddressInfo;
    const attempt = connectToPeer({ host: '127.0.0.1', port, identity: clientKey });
    await expect(attempt).rejects.toBeInstanceOf(PeerDropped);
    await expect(attempt).rejects.toMatchObject({ reason: 'BAD_SIGNATURE' });
  });

  it('parses peer addresses', () => {
    expect(parsePeerAddress('10.0.0.2:4000')).toEqual({ host: '10.0.0.2', port: 4000 });
    expect(parsePeerAddress('gpu-box')).toEqual({ host: 'gpu-box', port: 46337 });
    expect(parsePeerAddress('[::1]:5')).toEqual({ host: '::1', port: 5 });
    expect(parsePeerAddress('::1')).toBeUndefined();
    expect(parsePeerAddress('host:99999')).toBeUndefined();
  });
});
