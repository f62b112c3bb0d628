import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InfernetClient } from '@infernetprotocol/sdk';
import { startFakeOllama } from '@infernet/testkit';
import {
  REPOSITORY_ROOT,
  manage,
  startServerProcess,
  temporaryHome,
  type ManagedProcess,
  type ServerProcess,
} from './processes';

const MODEL = 'llama3.2:1b';
const REPLY = ['Served ', 'from ', 'the ', 'container ', 'entrypoint.'];
const ENTRYPOINT = join(REPOSITORY_ROOT, 'deploy/provider/entrypoint.sh');

/**
 * The provider image's entrypoint, run outside Docker: the same script, with
 * an `infernet` on PATH that runs this checkout (in the image it is a link
 * to the same bin file).
 */
describe('deploy/provider/entrypoint.sh', () => {
  let server: ServerProcess;
  let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  let home: Awaited<ReturnType<typeof temporaryHome>>;
  const running: ManagedProcess[] = [];

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: [MODEL], reply: () => REPLY });
    server = await startServerProcess();
    home = await temporaryHome();
    const bin = join(home.path, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'infernet'),
      `#!/bin/sh\nexec '${process.execPath}' '${join(REPOSITORY_ROOT, 'apps/cli/bin/infernet.js')}' "$@"\n`,
    );
    chmodSync(join(bin, 'infernet'), 0o755);
  });

  afterEach(async () => {
    for (const process of running.splice(0)) await process.stop('SIGKILL');
  });

  afterAll(async () => {
    await server?.stop();
    await ollama?.close();
    await home?.remove();
  });

  function entrypoint(): ManagedProcess {
    const child = spawn('/bin/sh', [ENTRYPOINT], {
      cwd: home.path,
      env: {
        PATH: `${join(home.path, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: home.path,
        INFERNET_CONTROL_PLANE_URL: server.url,
        INFERNET_ENGINE_URL: ollama.url,
        INFERNET_MODEL: MODEL,
        INFERNET_NODE_NAME: 'container-node',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const managed = manage(child, 'entrypoint');
    running.push(managed);
    return managed;
  }

  it('creates an identity, registers, serves a chat and drains on SIGTERM; a restart keeps the identity', async () => {
    const first = entrypoint();
    await first.waitForLine(/first run, creating a node identity/);
    await first.waitForLine(/Registered container-node/);
    const ready = JSON.parse(await first.waitForLine(/"msg":"node ready"/)) as {
      nodeId?: string;
      providerId?: string;
    };
    expect(ready.nodeId).toMatch(/^node-/);

    const client = new InfernetClient({ baseUrl: server.url });
    const result = await client.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hello, container' }],
      stream: false,
    });
    expect(result.text).toBe(REPLY.join(''));

    // `docker stop` sends SIGTERM to the daemon itself: the script exec'd it.
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.lines.some((line) => line.includes('"msg":"node stopped"'))).toBe(true);

    const configPath = join(home.path, '.config', 'infernet', 'config.json');
    const config = readFileSync(configPath, 'utf8');
    const second = entrypoint();
    await second.waitForLine(/keeping the node identity/);
    const again = JSON.parse(await second.waitForLine(/"msg":"node ready"/)) as {
      nodeId?: string;
      providerId?: string;
    };
    // The same key, so the same node row on the control plane.
    expect(again).toMatchObject({ nodeId: ready.nodeId, providerId: ready.providerId });
    expect(readFileSync(configPath, 'utf8')).toBe(config);
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
