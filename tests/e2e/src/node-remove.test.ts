import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@infernet/testkit';
import { startLocalNetwork, type LocalNetwork } from './local-network';
import { runInfernet } from './infernet-binary';

const MODEL = 'llama3.2:1b';

describe('infernet remove', () => {
  let server: LocalNetwork['server'];
  let ollama: LocalNetwork['ollama'];
  let home: LocalNetwork['home'];
  let env: Record<string, string>;
  const configDirectory = () => join(home.path, '.config', 'infernet');

  beforeAll(async () => {
    let network: Record<string, string>;
    ({ ollama, server, home, env: network } = await startLocalNetwork([MODEL]));
    env = {
      ...network,
      INFERNET_ENGINE: 'ollama',
      INFERNET_ENGINE_URL: ollama.url,
      INFERNET_NODE_NAME: 'retiring-node',
    };
  });

  afterAll(async () => {
    // A failed test must not leave a daemon behind.
    const pidFile = join(configDirectory(), 'daemon.pid');
    const pid = existsSync(pidFile) ? Number.parseInt(readFileSync(pidFile, 'utf8'), 10) : NaN;
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await server?.stop();
    await ollama?.close();
    await home?.remove();
  });

  const registered = async () => {
    const status = await runInfernet(['status', '--json'], env);
    return (JSON.parse(status.stdout) as { registered: boolean }).registered;
  };

  it('asks for --yes, stops the daemon, deregisters, keeps the identity, then purges it', async () => {
    const none = await runInfernet(['remove', '--yes'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('infernet init');

    expect((await runInfernet(['init', '--no-advertise'], env)).code).toBe(0);
    const started = await runInfernet(['start'], env);
    expect(started.code).toBe(0);
    await waitFor(registered, { timeoutMs: 20_000, description: 'the daemon registered' });

    // No terminal to ask on: nothing happens without --yes.
    const unconfirmed = await runInfernet(['remove'], env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes to confirm (nothing was changed)');
    expect(await registered()).toBe(true);

    // The control plane unreachable: the identity stays so the removal can be retried.
    const unreachable = await runInfernet(
      ['remove', '--yes', '--control-plane', 'http://127.0.0.1:9'],
      env,
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain('Stopped.');
    expect(unreachable.stderr).toContain('The node is stopped and its identity kept');
    expect(unreachable.stderr).toContain('run `infernet remove --yes` again');
    expect(existsSync(join(configDirectory(), 'daemon.pid'))).toBe(false);
    expect(existsSync(join(configDirectory(), 'config.json'))).toBe(true);
    expect(await registered()).toBe(true);

    expect((await runInfernet(['start'], env)).code).toBe(0);
    const removed = await runInfernet(['remove', '--yes'], env);
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Stopping the node daemon');
    expect(removed.stdout).toContain(`Removed retiring-node`);
    expect(removed.stdout).toContain('Kept the identity');
    expect(existsSync(join(configDirectory(), 'daemon.pid'))).toBe(false);
    const status = await runInfernet(['status', '--json'], env);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ registered: false });

    const again = await runInfernet(['remove', '--yes', '--purge'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was not registered');
    expect(again.stdout).toContain(`Deleted ${configDirectory()}`);
    expect(existsSync(configDirectory())).toBe(false);
    const after = await runInfernet(['status'], env);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('infernet init');
  });
});
