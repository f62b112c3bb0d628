import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, p2pChallenge, type KeyPair } from '@infernet/auth';
import { P2P_PROTOCOL_VERSION, type P2pMessage } from '@infernet/protocol';
import { NodeClient } from '@infernetprotocol/sdk/node';
import { startFakeOllama } from '@infernet/testkit';
import { startNodeProcess, type NodeProcess } from './node-process';
import { runCli, startServerProcess, temporaryHome, type ServerProcess } from './processes';

const MODEL = 'llama3.2:1b';

/** The port and host a daemon logged in its `p2p listening` line. */
async function p2pListening(node: { waitForLine(pattern: RegExp): Promise<string> }) {
  const line = await node.waitForLine(/"msg":"p2p listening"/);
  return JSON.parse(line) as { port: number; host: string };
}

/** Frames in and out of a raw socket, for peers that break the protocol on purpose. */
function framed(port: number) {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  const received: P2pMessage[] = [];
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
      const length = buffered.readUInt32BE(0);
      received.push(JSON.parse(buffered.toString('utf8', 4, 4 + length)) as P2pMessage);
      buffered = buffered.subarray(4 + length);
    }
  });
  const send = (message: unknown) => {
    const body = Buffer.from(JSON.stringify(message));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    socket.write(Buffer.concat([header, body]));
  };
  return {
    socket,
    received,
    send,
    closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
  };
}

describe('P2P between two real daemons', () => {
  let server: ServerProcess;
  let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  const nodes: NodeProcess[] = [];
  const homes: Awaited<ReturnType<typeof temporaryHome>>[] = [];

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: [MODEL], reply: () => ['hi'] });
    server = await startServerProcess();
  });

  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.remove();
    for (const home of homes.splice(0)) await home.remove();
  });

  afterAll(async () => {
    await server?.stop();
    await ollama?.close();
  });

  async function daemon(name: string, env: Record<string, string> = {}) {
    const node = await startNodeProcess({
      serverUrl: server.url,
      engineUrl: ollama.url,
      name,
      env: { INFERNET_P2P_PORT: '0', ...env },
    });
    nodes.push(node);
    const listening = await p2pListening(node);
    return { node, port: listening.port, host: listening.host };
  }

  /** `infernet p2p ping` with a node's key: the client side of the handshake, as that node. */
  async function ping(key: KeyPair, address: string) {
    const home = await temporaryHome();
    homes.push(home);
    const run = runCli(['p2p', 'ping', address, '--json'], {
      HOME: home.path,
      XDG_CONFIG_HOME: `${home.path}/.config`,
      INFERNET_PRIVATE_KEY: key.privateKey,
    });
    const code = await run.exited;
    return { code, output: run.lines.join('\n') };
  }

  it('complete the signed handshake both ways and exchange info and ping', async () => {
    const alpha = await daemon('alpha');
    const beta = await daemon('beta');

    const alphaToBeta = await ping(alpha.node.key, `127.0.0.1:${beta.port}`);
    expect(alphaToBeta.code, alphaToBeta.output).toBe(0);
    const answer = JSON.parse(alphaToBeta.output) as {
      peer: { publicKey: string };
      info: Record<string, unknown>;
      roundTripMs: number;
    };
    expect(answer.peer.publicKey).toBe(beta.node.key.publicKey);
    expect(answer.info).toEqual({
      type: 'info',
      node_id: `node-${beta.node.key.publicKey.slice(0, 16)}`,
      name: 'beta',
      models: [MODEL],
      version: expect.any(String),
      protocol: P2P_PROTOCOL_VERSION,
    });
    expect(answer.roundTripMs).toBeGreaterThanOrEqual(0);
    const seen = await beta.node.waitForLine(/p2p peer authenticated/);
    expect(JSON.parse(seen)).toMatchObject({ peerKey: alpha.node.key.publicKey.slice(0, 8) });

    // Dual-stack: an IPv4-mapped address reaches the `::` listener (where the host has IPv6).
    const alphaAddress = alpha.host === '::' ? '[::ffff:127.0.0.1]' : '127.0.0.1';
    const betaToAlpha = await ping(beta.node.key, `${alphaAddress}:${alpha.port}`);
    expect(betaToAlpha.code, betaToAlpha.output).toBe(0);
    expect(JSON.parse(betaToAlpha.output)).toMatchObject({
      peer: { publicKey: alpha.node.key.publicKey },
      info: { name: 'alpha', models: [MODEL] },
    });
  });

  it('drops a bad signature before info, an oversized frame and a silent peer', async () => {
    const { node, port } = await daemon('gamma');
    const impostor = framed(port);
    impostor.send({
      type: 'hello',
      version: P2P_PROTOCOL_VERSION,
      public_key: generateKeyPair().publicKey,
      challenge: p2pChallenge(),
    });
    impostor.send({ type: 'proof', signature: 'ab'.repeat(64) });
    impostor.send({ type: 'info-request' });
    await impostor.closed;
    expect(impostor.received.map((message) => message.type)).toEqual(['hello', 'proof', 'error']);
    expect(impostor.received[2]).toMatchObject({ code: 'BAD_SIGNATURE' });
    await node.waitForLine(/"reason":"BAD_SIGNATURE"/);

    const flood = framed(port);
    flood.socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    await flood.closed;
    await node.waitForLine(/"reason":"FRAME_TOO_LARGE"/);

    const silent = framed(port);
    await silent.closed;
    expect(silent.received.at(-1)).toMatchObject({ code: 'HANDSHAKE_TIMEOUT' });
    await node.waitForLine(/"reason":"HANDSHAKE_TIMEOUT"/);
  });

  it('--no-p2p opens no port', async () => {
    const node = await startNodeProcess({
      serverUrl: server.url,
      engineUrl: ollama.url,
      name: 'quiet',
      env: { INFERNET_P2P: 'off' },
    });
    nodes.push(node);
    await node.waitForLine(/p2p off/);
    expect(node.lines.some((line) => line.includes('"p2p listening"'))).toBe(false);
  });

  it('`infernet p2p ping` says what went wrong, with exit codes that mean something', async () => {
    const key = generateKeyPair();
    const unreachable = await ping(key, '127.0.0.1:1');
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toMatch(/No P2P session with 127\.0\.0\.1:1 .*infernet firewall/);
    const malformed = await ping(key, '::1');
    expect(malformed.code).toBe(2);
    expect(malformed.output).toContain('[ipv6]:port');
  });

  it('--no-advertise clears the address and port an earlier daemon published', async () => {
    const key = generateKeyPair();
    const client = new NodeClient({ baseUrl: server.url, privateKey: key.privateKey });
    // What an earlier daemon (or this node before --no-advertise) left on the control plane.
    await client.register({
      node_id: `node-${key.publicKey.slice(0, 16)}`,
      name: 'switcher',
      address: '203.0.113.7',
      port: 46337,
    });
    expect((await client.me()).row).toMatchObject({ address: '203.0.113.7', port: 46337 });
    // The public API never shows addresses, even while one is stored.
    for (const route of ['/api/providers', '/api/overview']) {
      const body = await fetch(`${server.url}${route}`).then((response) => response.text());
      expect(body).not.toContain('203.0.113.7');
    }

    const home = await temporaryHome();
    homes.push(home);
    const node = runCli(['start', '--foreground', '--no-advertise', '--p2p-port', '0'], {
      HOME: home.path,
      XDG_CONFIG_HOME: `${home.path}/.config`,
      INFERNET_PRIVATE_KEY: key.privateKey,
      INFERNET_CONTROL_PLANE_URL: server.url,
      INFERNET_ENGINE: 'ollama',
      INFERNET_ENGINE_URL: ollama.url,
      INFERNET_NODE_NAME: 'switcher',
    });
    try {
      await node.waitForLine(/node ready/);
      expect((await client.me()).row).toMatchObject({ address: null, port: null });
    } finally {
      await node.stop('SIGKILL');
    }
  });
});
