import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, hostname, platform, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, waitFor } from '@infernet/testkit';
import { startNodeProcess, type NodeProcess } from './node-process';
import {
  REPOSITORY_ROOT,
  startServerProcess,
  temporaryHome,
  type ServerProcess,
} from './processes';

const MODEL = 'llama3.2:1b';
const H100 = join(REPOSITORY_ROOT, 'packages/gpu/test/fixtures/nvidia-h100');
/** Details of the recorded H100 that stay on the machine: UUID, PCI bus, driver, exact MiB. */
const GPU_DETAILS = ['GPU-00000000-1111-2222-3333-444444444444', '00:06.0', '580.159.04', '81559'];

/** A directory holding an `nvidia-smi` that replays the recorded H100, to put first on PATH. */
async function fakeNvidiaSmi() {
  const directory = await temporaryHome();
  const script = join(directory.path, 'nvidia-smi');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'case "$*" in',
      `  *-x*) cat '${join(H100, 'nvidia-smi-q.xml')}' ;;`,
      `  *) cat '${join(H100, 'nvidia-smi-query.csv')}' ;;`,
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return directory;
}

interface Captured {
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes of the body, as the daemon sent them. */
  body: Buffer;
}

/**
 * A recording proxy: every request the daemon sends passes through
 * byte-for-byte to the real control plane, and a copy is kept.
 */
async function startRecordingProxy(target: string) {
  const captured: Captured[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      captured.push({ path: incoming.url ?? '', headers: incoming.headers, body });
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      incoming.socket.on('close', () => forwarded.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    captured,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the host would give away; none of it may leave the machine. */
function hostSecrets(): string[] {
  const gib = totalmem() / 1024 ** 3;
  return [
    hostname(),
    platform(),
    osType(),
    release(),
    ...new Set(cpus().map((cpu) => cpu.model.trim())),
    String(totalmem()),
    String(Math.round(totalmem() / 1024)),
    String(Math.round(totalmem() / 1024 ** 2)),
    `${Math.round(gib)}GB`,
    `${Math.round(gib)} GB`,
    `${gib.toFixed(1)}`,
    ...GPU_DETAILS,
  ].filter((value) => value.length >= 3);
}

describe('telemetry: what register and heartbeat send', () => {
  let server: ServerProcess;
  let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let node: NodeProcess | undefined;
  let tools: Awaited<ReturnType<typeof fakeNvidiaSmi>>;

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: [MODEL], reply: () => ['hi'] });
    server = await startServerProcess();
    proxy = await startRecordingProxy(server.url);
    tools = await fakeNvidiaSmi();
  });

  afterAll(async () => {
    await node?.remove();
    await proxy?.close();
    await server?.stop();
    await ollama?.close();
    await tools?.remove();
  });

  it('holds only {vendor, vram_tier, model} per GPU, gpu_count and served models', async () => {
    node = await startNodeProcess({
      serverUrl: proxy.url,
      engineUrl: ollama.url,
      name: 'telemetry-node',
      env: { INFERNET_P2P_PORT: '0', PATH: `${tools.path}:${process.env.PATH ?? ''}` },
    });
    // The first heartbeat comes one interval (30 s) after start; wait for it, not for time.
    const heartbeat = await waitFor(
      () => proxy.captured.find((call) => call.path === '/api/v1/node/heartbeat'),
      { timeoutMs: 45_000, intervalMs: 100, description: 'the first heartbeat' },
    );
    const register = proxy.captured.find((call) => call.path === '/api/v1/node/register');
    expect(register).toBeDefined();

    const secrets = hostSecrets();
    for (const call of [register!, heartbeat]) {
      const raw = [
        ...Object.entries(call.headers).map(([name, value]) => `${name}: ${String(value)}`),
        call.body.toString('utf8'),
      ].join('\n');
      for (const secret of secrets) {
        expect(raw.toLowerCase(), `${call.path} leaks "${secret}"`).not.toContain(
          secret.toLowerCase(),
        );
      }
      // A short hostname ("vm") is checked as a whole word in the body.
      const escaped = hostname().replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
      const name = new RegExp(`\\b${escaped}\\b`, 'i');
      expect(call.body.toString('utf8')).not.toMatch(name);
      const body = JSON.parse(call.body.toString('utf8')) as Record<string, unknown>;
      expect(body.address).toBeNull();
      expect(body.port).toBeNull();
      const specs = body.specs as Record<string, unknown>;
      expect(Object.keys(specs).sort()).toEqual(['gpu_count', 'gpus', 'served_models']);
      expect(specs.served_models).toEqual([MODEL]);
      const gpus = specs.gpus as Record<string, unknown>[];
      expect(specs.gpu_count).toBe(gpus.length);
      expect(gpus).toEqual([
        { vendor: 'nvidia', vram_tier: expect.any(String), model: expect.stringContaining('H100') },
      ]);
      for (const gpu of gpus)
        expect(Object.keys(gpu).sort()).toEqual(['model', 'vendor', 'vram_tier']);
    }
    expect(Object.keys(JSON.parse(register!.body.toString('utf8'))).sort()).toEqual([
      'address',
      'name',
      'node_id',
      'port',
      'specs',
    ]);
    expect(Object.keys(JSON.parse(heartbeat.body.toString('utf8'))).sort()).toEqual([
      'address',
      'port',
      'specs',
      'status',
    ]);
  }, 90_000);
});
