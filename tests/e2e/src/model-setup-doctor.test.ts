import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, startFakeOllama } from '@infernet/testkit';
import {
  REPOSITORY_ROOT,
  runCli,
  startServerProcess,
  temporaryHome,
  type ServerProcess,
} from './processes';
import { runInfernet } from './infernet-binary';

const H100_FIXTURE = join(REPOSITORY_ROOT, 'packages/gpu/test/fixtures/nvidia-h100');
const MODEL = 'llama3.2:1b';

interface ListedModel {
  name: string;
  fits: boolean | null;
  served: boolean;
  requiredBytes: number | null;
}

describe('model, setup and doctor, run as the real binary', () => {
  let server: ServerProcess;
  let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  let scratch: Awaited<ReturnType<typeof temporaryHome>>;
  /** A PATH whose `nvidia-smi` prints the recorded H100, so the node sees 80 GB of VRAM. */
  let path: string;
  const homes: Awaited<ReturnType<typeof temporaryHome>>[] = [];

  beforeAll(async () => {
    scratch = await temporaryHome();
    const bin = join(scratch.path, 'bin');
    mkdirSync(bin);
    const script = join(bin, 'nvidia-smi');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        'case "$*" in',
        `  *--query-gpu*) cat '${H100_FIXTURE}/nvidia-smi-query.csv' ;;`,
        `  *) cat '${H100_FIXTURE}/nvidia-smi-q.xml' ;;`,
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    path = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    server = await startServerProcess();
  });

  beforeEach(async () => {
    ollama = await startFakeOllama({ models: [MODEL] });
  });

  afterEach(async () => {
    await ollama.close();
    for (const home of homes.splice(0)) await home.remove();
  });

  afterAll(async () => {
    await server?.stop();
    await scratch?.remove();
  });

  /** A HOME of its own; with `init` run unless `fresh`. */
  async function newHome({ fresh = false, engineUrl = ollama.url } = {}) {
    const home = await temporaryHome();
    homes.push(home);
    const env = {
      PATH: path,
      HOME: home.path,
      XDG_CONFIG_HOME: join(home.path, '.config'),
      INFERNET_CONTROL_PLANE_URL: server.url,
      INFERNET_ENGINE_URL: engineUrl,
    };
    if (!fresh) expect((await runInfernet(['init', '--name', 'model-node'], env)).code).toBe(0);
    return { env, config: join(home.path, '.config', 'infernet', 'config.json') };
  }

  async function listModels(env: Record<string, string>) {
    const run = await runInfernet(['model', 'list', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as {
      memory: { bytes: number; source: string };
      models: ListedModel[];
    };
  }

  it('lists the engine’s models with their fit against the H100 and whether they are served', async () => {
    const { env } = await newHome();
    const listed = await listModels(env);
    expect(listed.memory).toMatchObject({ source: 'gpu', bytes: 81559 * 1024 ** 2 });
    expect(listed.models).toEqual([
      expect.objectContaining({ name: MODEL, fits: true, served: true }),
    ]);
    const table = await runInfernet(['model', 'list'], env);
    expect(table.stdout).toMatch(/llama3\.2:1b\s+954 MiB\s+1B\s+Q4_K_M\s+\S+ \S+\s+yes\s+yes/);
    expect(table.stdout).toContain('NVIDIA H100 80GB HBM3');
  });

  it('pulls a model with progress lines, after which it is listed and removable', async () => {
    const { env } = await newHome();
    const pulled = await runInfernet(['model', 'pull', 'qwen2.5:0.5b'], env);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    const lines = pulled.stdout.split('\n');
    expect(lines[0]).toBe('pulling manifest');
    expect(lines).toContainEqual(expect.stringMatching(/^pulling [0-9a-f]{12}: 0% of /));
    expect(lines).toContainEqual(expect.stringMatching(/^pulling [0-9a-f]{12}: 100% of /));
    expect(lines).toContain('success');
    expect(pulled.stdout).toContain('Pulled qwen2.5:0.5b into ollama.');
    expect((await listModels(env)).models.map((model) => model.name)).toEqual([
      MODEL,
      'qwen2.5:0.5b',
    ]);

    const removed = await runInfernet(['model', 'rm', 'qwen2.5:0.5b'], env);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed qwen2.5:0.5b from ollama.');
    expect((await listModels(env)).models.map((model) => model.name)).toEqual([MODEL]);

    await ollama.close();
    ollama = await startFakeOllama({ models: [MODEL], registry: [MODEL] });
    const unknown = await runInfernet(['model', 'pull', 'no-such-model:1b'], {
      ...env,
      INFERNET_ENGINE_URL: ollama.url,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'ollama found no model called no-such-model:1b: check the name and tag at https://ollama.com/library',
    );

    const again = await runInfernet(['model', 'rm', 'qwen2.5:0.5b'], {
      ...env,
      INFERNET_ENGINE_URL: ollama.url,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('qwen2.5:0.5b is not pulled in ollama: `infernet model list`');
  });

  it('refuses, without a terminal or --yes, to pull a model that will not fit', async () => {
    const { env } = await newHome();
    const refused = await runInfernet(['model', 'pull', 'llama3.1:405b'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Warning: llama3.1:405b needs about');
    expect(refused.stderr).toContain('NVIDIA H100 80GB HBM3');
    expect(refused.stderr).toContain('Pass --yes to pull it anyway');
    expect(refused.stderr).toContain('Models that fit: llama3.3:70b');
    expect(ollama.calls.some((call) => call.path === '/api/pull')).toBe(false);

    const forced = await runInfernet(['model', 'pull', 'llama3.1:405b', '--yes'], env);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('Warning: llama3.1:405b needs about');
    expect(forced.stdout).toContain('success');
  });

  it('never advertises a pulled model too large for the GPU, and doctor says what to pull instead', async () => {
    await ollama.close();
    ollama = await startFakeOllama({
      models: [MODEL, 'llama3.1:405b'],
      sizes: { 'llama3.1:405b': 243_000_000_000 },
    });
    const { env } = await newHome({ engineUrl: ollama.url });
    const listed = await listModels(env);
    expect(listed.models).toEqual([
      expect.objectContaining({ name: MODEL, fits: true, served: true }),
      expect.objectContaining({ name: 'llama3.1:405b', fits: false, served: false }),
    ]);

    const registered = await runInfernet(['register'], env);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain(`Models: ${MODEL}\n`);
    expect(registered.stderr).toContain(
      'Warning: not advertised, too large for 1 × NVIDIA H100 80GB HBM3 (79.6 GiB VRAM): llama3.1:405b.',
    );

    const onlyLarge = { ...env, INFERNET_MODEL: 'llama3.1:405b' };
    const doctor = await runInfernet(['doctor'], onlyLarge);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(
      /^\[FAIL\] served models\s+no model to serve \(too large for 1 × NVIDIA H100 80GB HBM3 \(79\.6 GiB VRAM\): llama3\.1:405b\)$/m,
    );
    expect(doctor.stdout).toContain(
      'fix: Run `infernet model pull llama3.3:70b`, then `infernet model use llama3.3:70b`.',
    );
  });

  it('sets the served models in the config, refusing one that is not pulled', async () => {
    const { env, config } = await newHome();
    const missing = await runInfernet(['model', 'use', 'qwen2.5:7b'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'Not pulled in ollama: qwen2.5:7b. Pull first with `infernet model pull qwen2.5:7b`',
    );

    const used = await runInfernet(['model', 'use', 'llama3.2:1b'], env);
    expect(used.code).toBe(0);
    expect(used.stdout).toContain('This node serves llama3.2:1b');
    const saved = JSON.parse(readFileSync(config, 'utf8')) as {
      engine: { models: string[] };
      node: { name: string; privateKey: string };
    };
    expect(saved.engine.models).toEqual([MODEL]);
    // Everything else in the file is kept.
    expect(saved.node).toMatchObject({ name: 'model-node', privateKey: expect.any(String) });
    expect(statSync(config).mode & 0o777).toBe(0o600);
  });

  it('sets up unattended with --yes, pulling the model, and `start --foreground` runs on that config', async () => {
    await ollama.close();
    ollama = await startFakeOllama({ models: [] });
    const { env, config } = await newHome({ fresh: true });
    // Only what a fresh box has: the flags carry the settings, and setup writes them down.
    const bare = { PATH: env.PATH, HOME: env.HOME, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME };
    const setup = await runInfernet(
      [
        'setup',
        '--yes',
        '--control-plane',
        server.url,
        '--engine-url',
        ollama.url,
        '--model',
        MODEL,
        '--name',
        'setup-node',
      ],
      bare,
    );
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('Created node identity npub1');
    expect(setup.stdout).toContain('NVIDIA H100 80GB HBM3');
    expect(setup.stdout).toContain('success');
    expect(setup.stdout).toContain(`This node will serve: ${MODEL}.`);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({
      controlPlane: { url: server.url },
      engine: { kind: 'ollama', url: ollama.url, models: [MODEL] },
      node: { name: 'setup-node' },
    });

    const daemon = runCli(['start', '--foreground'], { ...bare, INFERNET_LOG_LEVEL: 'info' });
    try {
      const ready = await daemon.waitForLine(/"msg":"node ready"/, 60_000);
      expect(JSON.parse(ready)).toMatchObject({ name: 'setup-node', models: [MODEL] });
    } finally {
      expect(await daemon.stop('SIGTERM')).toBe(0);
    }
  });

  it('passes every check on a healthy node, and names the failing check with its fix when the engine is down', async () => {
    const { env } = await newHome();
    const healthy = await runInfernet(['doctor'], env);
    expect(healthy.stdout).toContain('All checks passed.');
    expect(healthy.code).toBe(0);
    for (const title of ['config file', 'node key', 'control plane', 'clock', 'GPU', 'engine']) {
      expect(healthy.stdout).toMatch(new RegExp(`^\\[ok\\]\\s+${title}`, 'm'));
    }
    expect(healthy.stdout).toMatch(/^\[ok\]\s+served models\s+serving llama3\.2:1b$/m);

    const json = await runInfernet(['doctor', '--json'], env);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      checks: { id: string; status: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.id)).toEqual([
      'config',
      'identity',
      'control-plane',
      'clock',
      'gpu',
      'engine',
      'models',
    ]);

    const down = `http://127.0.0.1:${await freePort()}`;
    const broken = await runInfernet(['doctor'], { ...env, INFERNET_ENGINE_URL: down });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^\[FAIL\] engine\s+ollama at http:\/\/127\.0\.0\.1:\d+ failed/m);
    expect(broken.stdout).toContain(
      `fix: Start Ollama (\`ollama serve\`, or \`systemctl start ollama\`), or point at it with \`--engine-url URL\` or INFERNET_ENGINE_URL (now ${down}).`,
    );
    expect(broken.stdout).toMatch(/^\[skip\] served models/m);
    expect(broken.stdout).toContain('1 check(s) failed');
  });
});
