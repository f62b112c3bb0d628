import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@infernet/auth';
import { runInfernet } from './infernet-binary';
import { startNodeProcess, type NodeProcess } from './node-process';
import { startLocalNetwork, type LocalNetwork } from './local-network';
import { runCli } from './processes';

const MODEL = 'llama3.2:1b';

/** `infernet tui` run as a user would, against a real daemon and control plane. */
describe('infernet tui against a running daemon', () => {
  let server: LocalNetwork['server'];
  let ollama: LocalNetwork['ollama'];
  let home: LocalNetwork['home'];
  let node: NodeProcess | undefined;
  let env: Record<string, string>;
  const key = generateKeyPair();

  beforeAll(async () => {
    let network: Record<string, string>;
    ({ ollama, server, home, env: network } = await startLocalNetwork([MODEL]));
    env = {
      ...network,
      INFERNET_PRIVATE_KEY: key.privateKey,
      // Ink draws every frame only outside CI; the live test below reads frames as they come.
      CI: 'false',
    };
  });
  afterAll(async () => {
    await node?.remove();
    await server?.stop();
    await ollama?.close();
    await home?.remove();
  });

  it('says to run `infernet start` when no daemon runs, exit 3', async () => {
    const once = await runInfernet(['tui', '--once'], env);
    expect(once.code).toBe(3);
    expect(once.stderr).toContain('infernet start');
  });

  it('prints one frame with --once, and refreshes live until SIGINT without a terminal', async () => {
    node = await startNodeProcess({
      serverUrl: server.url,
      engineUrl: ollama.url,
      name: 'tui-node',
      key,
      env: { ...env, INFERNET_P2P_PORT: '0' },
    });

    const once = await runInfernet(['tui', '--once'], env);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/Infernet node tui-node\s+running, pid \d+/);
    expect(once.stdout).toMatch(/Registered\s+yes/);
    expect(once.stdout).toMatch(/Control plane\s+http:\/\/127\.0\.0\.1:\d+ \(connected\)/);
    expect(once.stdout).toMatch(/P2P\s+port \d+, not advertised/);
    expect(once.stdout).toMatch(/Jobs\s+0 running of 2 · 0 completed · 0 failed/);
    // A fresh node has earned nothing: the ledger's balance, asked with the node's key.
    expect(once.stdout).toMatch(/Earnings\s+0(\.0+)? \(balance on the control plane’s ledger\)/);
    expect(once.stdout).not.toContain('quits');

    // stdin is not a terminal here: no raw mode, so the dashboard refreshes until a signal.
    const live = runCli(['tui'], env);
    await live.waitForLine(/Infernet node tui-node/, 60_000);
    await live.waitForLine(/Ctrl-C quits · refreshes every second/);
    expect(await live.stop('SIGINT')).toBe(0);
  }, 180_000);
});
