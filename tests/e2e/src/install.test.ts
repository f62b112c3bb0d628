import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, waitFor } from '@infernet/testkit';
import {
  REPOSITORY_ROOT,
  startServerProcess,
  temporaryHome,
  type ServerProcess,
} from './processes';
import { mintDeployToken, signUpOperator } from './operator-account';

const MODEL = 'llama3.2:1b';
const VERSION = (
  JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'apps/cli/package.json'), 'utf8')) as {
    version: string;
  }
).version;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        stdout,
        stderr,
      }),
    );
  });
}

/**
 * install.sh in a temporary HOME, copying this checkout with downloads
 * disabled: npm installs the CLI's dependencies from the local cache
 * (`npm ci --offline`, about 5 s), so the test needs no network.
 */
describe('install.sh, then infernet update', () => {
  // Started in the background: the first test needs no control plane.
  let serverReady: Promise<ServerProcess>;
  let server: ServerProcess;
  let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  let home: Awaited<ReturnType<typeof temporaryHome>>;
  let env: Record<string, string>;
  let shim: string;
  const source = () => join(home.path, '.infernet', 'source');
  const pidFile = () => join(home.path, '.config', 'infernet', 'daemon.pid');
  const install = (extra: Record<string, string> = {}) =>
    run('/bin/sh', [join(REPOSITORY_ROOT, 'install.sh')], { ...env, ...extra });
  const infernet = (...args: string[]) => run(shim, args, env);

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: [MODEL] });
    serverReady = startServerProcess();
    // Never an unhandled rejection: the test that needs it awaits it and sees the error.
    serverReady.catch(() => undefined);
    home = await temporaryHome();
    shim = join(home.path, '.local', 'bin', 'infernet');
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home.path,
      XDG_CONFIG_HOME: join(home.path, '.config'),
      // The developer's (or CI's) npm cache: `npm ci` there filled it.
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
      INFERNET_SOURCE_DIR: REPOSITORY_ROOT,
      INFERNET_NO_DOWNLOAD: '1',
    };
  });

  afterAll(async () => {
    // A failed test must not leave a daemon behind.
    const pid = existsSync(pidFile()) ? Number.parseInt(readFileSync(pidFile(), 'utf8'), 10) : NaN;
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await (await serverReady?.catch(() => undefined))?.stop();
    await ollama?.close();
    await home?.remove();
  });

  it('installs the CLI with only its runtime dependencies and a working shim', async () => {
    const installed = await install();
    expect(installed.stderr).toBe('');
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`Installed infernet ${VERSION} in ${source()}`);
    expect(installed.stdout).toContain('is not on your PATH');
    expect(statSync(shim).mode & 0o111).not.toBe(0);

    const version = await infernet('--version');
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    // tsx runs the TypeScript; nothing for development or the control plane is installed.
    expect(existsSync(join(source(), 'node_modules', 'tsx'))).toBe(true);
    for (const absent of ['vitest', 'typescript', '@electric-sql', 'better-auth']) {
      expect(existsSync(join(source(), 'node_modules', absent))).toBe(false);
    }
    expect(existsSync(join(source(), '.git'))).toBe(false);
    expect(readFileSync(join(home.path, '.infernet', 'install.conf'), 'utf8')).toContain(
      `INFERNET_SOURCE_DIR=${REPOSITORY_ROOT}`,
    );
  });

  it('with a deploy token, re-runs as an update and sets the node up unattended', async () => {
    server = await serverReady;
    const operator = await signUpOperator(server.url, 'installer@example.com');
    const token = await mintDeployToken(operator, 'install.sh');
    const unattended = await install({
      INFERNET_BEARER: token,
      INFERNET_CONTROL_PLANE_URL: server.url,
      INFERNET_ENGINE_URL: ollama.url,
      INFERNET_MODEL: MODEL,
      INFERNET_NODE_NAME: 'installed-node',
    });
    expect(unattended.code, unattended.stdout + unattended.stderr).toBe(0);
    expect(unattended.stdout).toContain('→ infernet init');
    expect(unattended.stdout).toContain('→ infernet login');
    expect(unattended.stdout).toContain('Linked installed-node');
    expect(unattended.stdout).toContain('→ infernet register');
    expect(unattended.stdout).toContain('→ infernet start');
    expect(unattended.stdout + unattended.stderr).not.toContain(token);

    const status = await infernet('status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      controlPlane: server.url,
      daemon: { running: true, name: 'installed-node' },
    });
  });

  it('`infernet update` drains the daemon, reinstalls and starts it again', async () => {
    const check = await infernet('update', '--check');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`a copy of ${REPOSITORY_ROOT}`);
    expect(check.stdout).toContain(`That checkout has version ${VERSION}`);

    const before = Number.parseInt(readFileSync(pidFile(), 'utf8'), 10);
    const updated = await infernet('update');
    expect(updated.code, updated.stdout + updated.stderr).toBe(0);
    expect(updated.stdout).toContain('Draining the node daemon');
    expect(updated.stdout).toContain('Stopped.');
    expect(updated.stdout).toContain(`Installed infernet ${VERSION}`);
    expect(updated.stdout).toContain('Starting the node daemon again');
    expect(updated.stdout).toContain(`infernet ${VERSION} is installed`);
    const after = Number.parseInt(readFileSync(pidFile(), 'utf8'), 10);
    expect(after).not.toBe(before);
    await waitFor(
      async () => JSON.parse((await infernet('status', '--json')).stdout).registered === true,
      { timeoutMs: 20_000, description: 'the restarted daemon registered' },
    );

    // The service runs the installed shim (no systemctl on this PATH: it prints the commands).
    const service = await run(shim, ['service', 'install'], { ...env, PATH: '/nonexistent' });
    expect(service.code, service.stdout + service.stderr).toBe(0);
    expect(
      readFileSync(join(home.path, '.config', 'systemd', 'user', 'infernet.service'), 'utf8'),
    ).toContain(`\nExecStart=${shim} start --foreground\n`);

    expect((await infernet('stop')).code).toBe(0);
    // From a checkout, not installed: `update` says how to update instead.
    const fromCheckout = await run(
      process.execPath,
      [join(REPOSITORY_ROOT, 'apps/cli/bin/infernet.js'), 'update'],
      env,
    );
    expect(fromCheckout.code).toBe(1);
    expect(fromCheckout.stderr).toContain('git pull');
  });
});
