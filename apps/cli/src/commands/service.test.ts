import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemdWord } from '../systemd-unit';
import { BINARY, baseEnvironment, makeHome, runInfernet } from '../testing/run-infernet';

let home: string;
let cleanup: () => void;

beforeEach(() => {
  ({ home, cleanup } = makeHome());
});
afterEach(() => cleanup());

const unitPath = () => join(home, 'xdg', 'systemd', 'user', 'infernet.service');

/** An environment whose PATH has no systemctl (the CLI itself runs by absolute path). */
function withoutSystemctl(): Record<string, string> {
  return baseEnvironment(home, { PATH: join(home, 'empty-bin'), USER: 'gpu-owner' });
}

/**
 * A PATH whose only program is a fake `systemctl` that logs its arguments
 * and answers `is-active` / `is-enabled` from files the test writes.
 */
function withFakeSystemctl(options: { failing?: string } = {}): {
  env: Record<string, string>;
  calls: () => string[];
} {
  const bin = join(home, 'fake-bin');
  const log = join(home, 'systemctl.log');
  mkdirSync(bin, { recursive: true });
  const failing = options.failing
    ? `[ "$2" = "${options.failing}" ] && { echo 'Failed to connect to bus: No medium found' >&2; exit 1; }\n`
    : '';
  writeFileSync(
    join(bin, 'systemctl'),
    `#!/bin/sh\necho "$*" >> '${log}'\n${failing}case "$2" in\n  is-active) echo inactive; exit 3 ;;\n  is-enabled) echo enabled ;;\nesac\nexit 0\n`,
  );
  chmodSync(join(bin, 'systemctl'), 0o755);
  return {
    env: baseEnvironment(home, { PATH: bin }),
    calls: () =>
      existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [],
  };
}

async function init(env: Record<string, string>) {
  const result = await runInfernet(['init', '--engine', 'stub'], env);
  expect(result.code).toBe(0);
}

describe('infernet service', () => {
  it('refuses to install before there is an identity, saying what to run', async () => {
    const result = await runInfernet(['service', 'install'], withoutSystemctl());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('infernet init');
    expect(existsSync(unitPath())).toBe(false);
  });

  it('writes the user unit and prints the systemctl commands when there is no systemctl', async () => {
    const env = withoutSystemctl();
    await init(env);
    const installed = await runInfernet(['service', 'install'], env);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(unitPath());
    expect(installed.stdout).toContain('systemctl --user daemon-reload');
    expect(installed.stdout).toContain('systemctl --user enable --now infernet.service');
    expect(installed.stdout).toContain('loginctl enable-linger gpu-owner');

    const unit = readFileSync(unitPath(), 'utf8');
    // From a checkout the unit runs this node with this entry point; installed, the shim.
    expect(unit).toContain(`\nExecStart=${process.execPath} ${BINARY} start --foreground\n`);
    expect(unit).toContain('\nRestart=on-failure\n');
    expect(unit).toContain('\nType=simple\n');
    expect(unit).toContain('\nWantedBy=default.target\n');
    // The drain timeout (60 s) plus time to hand jobs back, so systemd never kills a draining node.
    expect(unit).toContain('\nTimeoutStopSec=120\n');
    // The daemon must find the same config the user has.
    expect(unit).toContain(`\nEnvironment=XDG_CONFIG_HOME=${join(home, 'xdg')}\n`);
    const config = JSON.parse(
      readFileSync(join(home, 'xdg', 'infernet', 'config.json'), 'utf8'),
    ) as { node: { privateKey: string } };
    expect(unit).not.toContain(config.node.privateKey);

    const status = await runInfernet(['service', 'status', '--json'], env);
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout)).toMatchObject({
      installed: true,
      unitPath: unitPath(),
      enabled: null,
      active: null,
      daemonPid: null,
      running: false,
    });

    const removed = await runInfernet(['service', 'uninstall'], env);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('systemctl --user disable --now infernet.service');
    expect(existsSync(unitPath())).toBe(false);

    const gone = await runInfernet(['service', 'status'], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('infernet service install');
    expect((await runInfernet(['service', 'uninstall'], env)).code).toBe(0);
  });

  it('reloads, enables and starts the unit with systemctl --user, and disables it on uninstall', async () => {
    const { env, calls } = withFakeSystemctl();
    await init(env);
    const installed = await runInfernet(['service', 'install'], env);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    expect(calls()).toEqual([
      '--user is-active infernet.service',
      '--user daemon-reload',
      '--user enable --now infernet.service',
    ]);

    const status = await runInfernet(['service', 'status'], env);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/Enabled\s+enabled/);
    expect(status.stdout).toMatch(/Active\s+inactive/);

    const removed = await runInfernet(['service', 'uninstall'], env);
    expect(removed.code).toBe(0);
    expect(calls().slice(-2)).toEqual([
      '--user disable --now infernet.service',
      '--user daemon-reload',
    ]);
    expect(existsSync(unitPath())).toBe(false);
  });

  it('says which commands to run when systemctl cannot reach the user manager', async () => {
    const { env } = withFakeSystemctl({ failing: 'daemon-reload' });
    await init(env);
    const installed = await runInfernet(['service', 'install'], env);
    expect(installed.code).toBe(1);
    expect(installed.stderr).toContain('Failed to connect to bus');
    expect(installed.stderr).toContain('systemctl --user enable --now infernet.service');
    expect(existsSync(unitPath())).toBe(true);
  });

  it('rejects an unknown action as a usage error', async () => {
    const result = await runInfernet(['service', 'restart'], withoutSystemctl());
    expect(result.code).toBe(2);
  });
});

describe('systemdWord', () => {
  it('leaves plain words alone and quotes or escapes what systemd would expand', () => {
    expect(systemdWord('/home/me/.local/bin/infernet')).toBe('/home/me/.local/bin/infernet');
    expect(systemdWord('/home/my user/bin')).toBe('"/home/my user/bin"');
    expect(systemdWord('50%')).toBe('50%%');
    expect(systemdWord('$HOME')).toBe('$$HOME');
    expect(systemdWord('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
  });
});
