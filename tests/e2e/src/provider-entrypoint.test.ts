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
import { linkedNodeNames, mintDeployToken, signUpOperator } from './operator-account';

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

  function entrypoint(extra: Record<string, string> = {}): ManagedProcess {
    const child = spawn('/bin/sh', [ENTRYPOINT], {
      cwd: home.path,
      env: {
        PATH: `${join(home.path, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: home.path,
        INFERNET_CONTROL_PLANE_URL: server.url,
        INFERNET_ENGINE_URL: ollama.url,
        INFERNET_MODEL: MODEL,
        INFERNET_NODE_NAME: 'container-node',
        ...extra,
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

  it('links the node to the account of the deploy token in INFERNET_BEARER, then forgets it', async () => {
    const operator = await signUpOperator(server.url, 'container-owner@example.com');
    const token = await mintDeployToken(operator, 'container');
    const node = entrypoint({ INFERNET_BEARER: token });
    await node.waitForLine(/Linked container-node/);
    await node.waitForLine(/"msg":"node ready"/);
    expect(await linkedNodeNames(operator)).toEqual(['container-node']);
    // exec'd into the daemon: the token is no longer in its environment.
    const environment = readFileSync(`/proc/${node.child.pid}/environ`, 'utf8').split('\0');
    expect(environment.some((entry) => entry.startsWith('INFERNET_BEARER='))).toBe(false);
    expect(environment.some((entry) => entry.startsWith('INFERNET_CONTROL_PLANE_URL='))).toBe(true);
    expect(node.lines.join('\n')).not.toContain(token);
    expect(await node.stop('SIGTERM')).toBe(0);
  });

  it('starts the bundled Ollama and pulls the models before the daemon when INFERNET_START_OLLAMA=1', async () => {
    // A stand-in `ollama`: `serve` stays up like the real one, `list` answers,
    // and every call is recorded. The fake Ollama server plays the engine.
    const calls = join(home.path, 'ollama-calls');
    writeFileSync(
      join(home.path, 'bin', 'ollama'),
      `#!/bin/sh\necho "$*" >> '${calls}'\nif [ "$1" = serve ]; then echo $$ > '${calls}.pid'; exec sleep 600; fi\n`,
    );
    chmodSync(join(home.path, 'bin', 'ollama'), 0o755);
    const node = entrypoint({
      INFERNET_START_OLLAMA: '1',
      INFERNET_MODEL: `${MODEL},qwen2.5:0.5b`,
    });
    await node.waitForLine(/"msg":"node ready"/);
    const recorded = readFileSync(calls, 'utf8').trim().split('\n');
    expect(recorded).toContain('serve');
    expect(recorded.filter((call) => call.startsWith('pull '))).toEqual([
      `pull ${MODEL}`,
      'pull qwen2.5:0.5b',
    ]);
    expect(node.lines.join('\n')).toContain('starting the bundled Ollama');
    expect(await node.stop('SIGTERM')).toBe(0);
    process.kill(Number(readFileSync(`${calls}.pid`, 'utf8')), 'SIGKILL');
  });
});
