import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeNpub, encodeNsec, publicKeyFromPrivateKey } from '@infernet/auth';
import {
  FIXTURES,
  baseEnvironment,
  makeHome,
  runInfernet,
  type RunResult,
} from './testing/run-infernet';

let home: string;
let cleanup: () => void;
let environment: Record<string, string>;
let configPath: string;

beforeEach(() => {
  ({ home, cleanup } = makeHome());
  environment = baseEnvironment(home);
  configPath = join(home, 'xdg', 'infernet', 'config.json');
});
afterEach(() => cleanup());

const KNOWN_PRIVATE_KEY = '7a638e08fbe541ec8f39ef9b71ad97c470b8f3df5dad53da704500d4e724885a';
const mode = (path: string) => statSync(path).mode & 0o777;
interface WrittenConfig {
  node: { nodeId: string; name: string; publicKey: string; privateKey: string };
  engine: { kind: string };
}
const readConfig = () => JSON.parse(readFileSync(configPath, 'utf8')) as WrittenConfig;

function expectUsage(result: RunResult) {
  expect(result.code).toBe(2);
}

describe('infernet help and --version', () => {
  it('lists the commands and exits 0, from any directory', async () => {
    const result = await runInfernet(['help'], environment, { cwd: home });
    expect(result.code).toBe(0);
    for (const command of [
      'init',
      'register',
      'start',
      'stop',
      'status',
      'stats',
      'tui',
      'login',
      'logs',
      'config',
      'chat',
      'gpu',
      'firewall',
    ]) {
      expect(result.stdout).toContain(command);
    }
    expect(result.stdout).toContain('Exit codes:');
    expect(result.stdout).toContain('3  no node daemon is running');
  });

  it('prints the package version', async () => {
    const result = await runInfernet(['--version'], environment);
    expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('exits 2 on an unknown command or a bad flag value', async () => {
    expectUsage(await runInfernet(['frobnicate'], environment));
    expectUsage(await runInfernet(['init', '--engine', 'warp-drive'], environment));
  });
});

describe('infernet init', () => {
  it('writes a 0600 config in a 0700 directory and prints the npub, never the key', async () => {
    const result = await runInfernet(
      ['init', '--engine', 'stub', '--name', 'edge-01'],
      environment,
    );
    expect(result.code).toBe(0);
    const config = readConfig();
    expect(mode(configPath)).toBe(0o600);
    expect(mode(join(home, 'xdg', 'infernet'))).toBe(0o700);
    expect(result.stdout).toContain(encodeNpub(config.node.publicKey));
    expect(result.stdout).toContain('infernet register');
    expect(result.stdout).not.toContain(config.node.privateKey);
    expect(config).toMatchObject({
      version: 1,
      controlPlane: { url: 'http://localhost:3000' },
      node: { name: 'edge-01', nodeId: `node-${config.node.publicKey.slice(0, 16)}` },
      engine: { kind: 'stub' },
      daemon: { maxConcurrentJobs: 2 },
    });
  });

  it('uses ~/.config when XDG_CONFIG_HOME is not set', async () => {
    const { XDG_CONFIG_HOME: _unused, ...withoutXdg } = environment;
    const result = await runInfernet(['init'], withoutXdg);
    expect(result.code).toBe(0);
    expect(mode(join(home, '.config', 'infernet', 'config.json'))).toBe(0o600);
  });

  it('refuses to replace an identity without --force, and replaces it with', async () => {
    await runInfernet(['init'], environment);
    const before = readFileSync(configPath, 'utf8');
    const refused = await runInfernet(['init'], environment);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(configPath, 'utf8')).toBe(before);

    const forced = await runInfernet(['init', '--force'], environment);
    expect(forced.code).toBe(0);
    expect(readConfig().node.privateKey).not.toBe(JSON.parse(before).node.privateKey);
  });

  it('imports a key given as hex or as nsec', async () => {
    const npub = encodeNpub(publicKeyFromPrivateKey(KNOWN_PRIVATE_KEY));
    const fromHex = await runInfernet(['init', '--nostr-privkey', KNOWN_PRIVATE_KEY], environment);
    expect(fromHex.code).toBe(0);
    expect(fromHex.stdout).toContain(`Imported node identity ${npub}`);
    expect(readConfig().node.privateKey).toBe(KNOWN_PRIVATE_KEY);

    const nsec = encodeNsec(KNOWN_PRIVATE_KEY);
    const fromNsec = await runInfernet(['init', '--force', '--nostr-privkey', nsec], environment);
    expect(fromNsec.code).toBe(0);
    expect(readConfig().node.privateKey).toBe(KNOWN_PRIVATE_KEY);
  });

  it('rejects a malformed key as a usage error', async () => {
    const result = await runInfernet(['init', '--nostr-privkey', 'not-a-key'], environment);
    expectUsage(result);
    expect(result.stderr).toContain('64 hex characters or an nsec1');
  });

  it('drops a legacy supabase service-role key from disk and never writes it back', async () => {
    mkdirSync(join(home, 'xdg', 'infernet'), { recursive: true, mode: 0o700 });
    writeFileSync(
      configPath,
      JSON.stringify({
        controlPlane: { url: 'http://localhost:3000' },
        supabase: { url: 'https://x.supabase.co', serviceRoleKey: 'service-role-secret' },
        engine: { backend: 'stub' },
      }),
      { mode: 0o600 },
    );
    const result = await runInfernet(['init'], environment);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('supabase');
    const text = readFileSync(configPath, 'utf8');
    expect(text).not.toContain('service-role-secret');
    expect(text).not.toContain('supabase');
    // The earlier CLI's `engine.backend` is understood.
    expect(readConfig().engine.kind).toBe('stub');
  });
});

describe('config safety', () => {
  it('refuses a config file other users can read, and says how to fix it', async () => {
    await runInfernet(['init', '--engine', 'stub'], environment);
    chmodSync(configPath, 0o644);
    const result = await runInfernet(['status'], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run `infernet init` to fix its permissions');
    expect(result.stderr).toContain(`chmod 600 ${configPath}`);
  });

  it('asks for init when there is no identity', async () => {
    const result = await runInfernet(['status'], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No identity yet: run `infernet init`');
  });

  it('says where the control plane should be when it is unreachable', async () => {
    await runInfernet(['init', '--engine', 'stub'], environment);
    const result = await runInfernet(
      ['status', '--control-plane', 'http://127.0.0.1:9'],
      environment,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach the control plane at http://127.0.0.1:9');
    expect(result.stderr).toContain('npm start');
  });

  it('starts no daemon without an identity', async () => {
    const result = await runInfernet(['start'], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No identity yet: run `infernet init`');
    expect(() => statSync(join(home, 'xdg', 'infernet', 'daemon.pid'))).toThrow();
  });

  it('says so, with exit 3, when stop or stats find no daemon', async () => {
    const stop = await runInfernet(['stop'], environment);
    expect(stop.code).toBe(3);
    expect(stop.stderr).toContain('No node daemon is running');
    const stats = await runInfernet(['stats'], environment);
    expect(stats.code).toBe(3);
    expect(stats.stderr).toContain('No node daemon is running');
  });

  it('explains that there are no logs before a background daemon ran', async () => {
    const result = await runInfernet(['logs'], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No log file at');
    expectUsage(await runInfernet(['logs', '-n', 'lots'], environment));
  });
});

describe('infernet chat', () => {
  it('streams the stub engine answer to stdout without a control plane or identity', async () => {
    const result = await runInfernet(['chat', '--engine', 'stub', 'hello', 'there'], environment);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^This is the Infernet demo engine\./);
    expect(result.stdout.endsWith('\n')).toBe(true);
  });

  it('names the engine problem and the fix when the model is unknown', async () => {
    const result = await runInfernet(
      ['chat', '--engine', 'stub', '--model', 'llama3', 'hi'],
      environment,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('llama3');
    expect(result.stderr).toContain('--engine');
  });

  it('needs a prompt', async () => {
    expectUsage(await runInfernet(['chat', '--engine', 'stub'], environment));
  });
});

describe('infernet gpu', () => {
  /** A fake nvidia-smi first on PATH, printing the recorded H100 output for each invocation. */
  function withFakeNvidiaSmi(): Record<string, string> {
    const directory = join(home, 'fake-bin');
    mkdirSync(directory);
    const fixtures = join(FIXTURES, 'nvidia-h100');
    writeFileSync(
      join(directory, 'nvidia-smi'),
      [
        '#!/bin/sh',
        'case "$*" in',
        `  *--query-gpu=*) cat '${fixtures}/nvidia-smi-query.csv' ;;`,
        `  *-q*-x*) cat '${fixtures}/nvidia-smi-q.xml' ;;`,
        `  *--version*) cat '${fixtures}/nvidia-smi-version.txt' ;;`,
        `  *) cat '${fixtures}/nvidia-smi.txt' ;;`,
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    return { ...environment, PATH: `${directory}:${environment.PATH}` };
  }

  it('lists the H100 as a table', async () => {
    const result = await runInfernet(['gpu'], withFakeNvidiaSmi());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('NVIDIA H100 80GB HBM3');
    expect(result.stdout).toContain('80 GiB');
    expect(result.stdout).toContain('>=48gb');
    expect(result.stdout).toContain('580.159.04');
    expect(result.stdout).toContain('13.0');
    expect(result.stdout).toContain('nvidia-smi');
  });

  it('prints JSON with the coarse capabilities that would be published', async () => {
    const result = await runInfernet(['gpu', 'json'], withFakeNvidiaSmi());
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.source).toBe('nvidia-smi');
    expect(parsed.gpus[0]).toMatchObject({ vendor: 'nvidia', vramMegabytes: 81559 });
    expect(parsed.published).toEqual({
      gpus: [{ vendor: 'nvidia', vram_tier: '>=48gb', model: 'NVIDIA H100 80GB HBM3' }],
      gpu_count: 1,
    });
  });

  it('refuses an unknown format', async () => {
    expectUsage(await runInfernet(['gpu', 'yaml'], environment));
  });
});
