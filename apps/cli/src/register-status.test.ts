import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PRIVATE_KEY,
  startFakeControlPlane,
  type FakeControlPlane,
} from './testing/fake-control-plane';
import { baseEnvironment, makeHome, runInfernet } from './testing/run-infernet';

describe('infernet register and status', () => {
  let controlPlane: FakeControlPlane;
  let home: ReturnType<typeof makeHome>;
  let environment: Record<string, string>;

  beforeEach(async () => {
    controlPlane = await startFakeControlPlane();
    home = makeHome();
    environment = baseEnvironment(home.home, { INFERNET_CONTROL_PLANE_URL: controlPlane.url });
    const init = await runInfernet(
      ['init', '--engine', 'stub', '--name', 'edge-01', '--nostr-privkey', PRIVATE_KEY],
      environment,
    );
    expect(init.code).toBe(0);
  });
  afterEach(async () => {
    await controlPlane.close();
    home.cleanup();
  });

  it('registers with listed: false when --unlisted (or INFERNET_UNLISTED=on)', async () => {
    const unlisted = await runInfernet(['register', '--unlisted'], environment);
    expect(unlisted.code).toBe(0);
    const fromEnvironment = await runInfernet(['register'], {
      ...environment,
      INFERNET_UNLISTED: 'on',
    });
    expect(fromEnvironment.code).toBe(0);
    const bodies = controlPlane.received.filter((entry) => entry.path.endsWith('/register'));
    expect(bodies.map((entry) => entry.body.listed)).toEqual([false, false]);
  }, 60_000);

  it('says the node is not registered yet, exit 1', async () => {
    const result = await runInfernet(['status'], environment);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('run `infernet register`');
  });

  it('registers with sanitised specs only, then shows the row', async () => {
    const registered = await runInfernet(['register'], environment);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain('Registered edge-01');
    expect(registered.stdout).toContain('Models: demo');
    const body = controlPlane.received.find((entry) => entry.path.endsWith('/register'))?.body;
    expect(body).toEqual({
      node_id: expect.stringMatching(/^node-[0-9a-f]{16}$/),
      name: 'edge-01',
      specs: { gpus: [], gpu_count: 0, served_models: ['demo'] },
    });

    // Registered, but no daemon runs here: exit 3, as `systemctl status` says "not running".
    const status = await runInfernet(['status'], environment);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/Daemon\s+not running/);
    expect(status.stdout).toMatch(/Name\s+edge-01/);
    expect(status.stdout).toMatch(/Models\s+demo/);
    expect(status.stdout).toContain('online');

    const json = await runInfernet(['status', '--json'], environment);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      registered: true,
      daemon: { running: false },
      controlPlane: controlPlane.url,
      node: { name: 'edge-01', specs: { served_models: ['demo'] } },
    });
  });
});
