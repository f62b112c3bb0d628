import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FAKE_ACCOUNT_ID,
  FAKE_DEVICE_CODE,
  PRIVATE_KEY,
  startFakeControlPlane,
  type FakeControlPlane,
} from './testing/fake-control-plane';
import { baseEnvironment, makeHome, runInfernet, spawnInfernet } from './testing/run-infernet';

const DEPLOY_TOKEN = `infd_${'Q'.repeat(20)}-${'x'.repeat(22)}`;

// Each test runs the real binary two or three times; a loaded machine needs the time.
describe('infernet login', { timeout: 60_000 }, () => {
  let controlPlane: FakeControlPlane;
  let home: ReturnType<typeof makeHome>;
  let environment: Record<string, string>;

  beforeEach(async () => {
    controlPlane = await startFakeControlPlane({ deployToken: DEPLOY_TOKEN });
    home = makeHome();
    environment = baseEnvironment(home.home, { INFERNET_CONTROL_PLANE_URL: controlPlane.url });
    const init = await runInfernet(
      ['init', '--engine', 'stub', '--name', 'edge-02', '--nostr-privkey', PRIVATE_KEY],
      environment,
    );
    expect(init.code).toBe(0);
  }, 60_000);
  afterEach(async () => {
    await controlPlane.close();
    home.cleanup();
  });

  it('registers, then links with the deploy token from INFERNET_BEARER, saving it nowhere', async () => {
    const result = await runInfernet(['login'], { ...environment, INFERNET_BEARER: DEPLOY_TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Registered edge-02');
    expect(result.stdout).toContain(`Linked edge-02 (node-`);
    expect(result.stdout).toContain(`to account ${FAKE_ACCOUNT_ID}`);
    expect(controlPlane.received.map((entry) => entry.path)).toEqual([
      '/api/v1/node/me',
      '/api/v1/node/register',
      '/api/nodes/link',
    ]);
    expect(controlPlane.authorizations).toEqual([`Bearer ${DEPLOY_TOKEN}`]);
    const config = readFileSync(join(home.home, 'xdg', 'infernet', 'config.json'), 'utf8');
    expect(config).not.toContain(DEPLOY_TOKEN);
    expect(result.stdout).not.toContain(DEPLOY_TOKEN);
  });

  it('links an already registered node with --token and prints JSON', async () => {
    expect((await runInfernet(['register'], environment)).code).toBe(0);
    const result = await runInfernet(['login', '--token', DEPLOY_TOKEN, '--json'], environment);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      linked: true,
      node_id: expect.stringMatching(/^node-/),
      provider_id: 'p1',
      account_id: FAKE_ACCOUNT_ID,
    });
    expect(controlPlane.received.filter((entry) => entry.path.endsWith('/register'))).toHaveLength(
      1,
    );
  });

  it('says to mint a new token on /deploy when the token is refused, exit 1', async () => {
    const other = `infd_${'z'.repeat(43)}`;
    const result = await runInfernet(['login', '--token', other], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused the deploy token');
    expect(result.stderr).toContain(`${controlPlane.url}/deploy`);
    expect(result.stderr).not.toContain(other);
  });

  it('refuses something that is not a deploy token before sending it, exit 2', async () => {
    const result = await runInfernet(['login', '--token', 'inf_an-api-key'], environment);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a deploy token');
    expect(controlPlane.received).toEqual([]);
  });

  it('without a token, shows the code and waits until the operator approves it', async () => {
    const child = spawnInfernet(['login'], environment);
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes(FAKE_DEVICE_CODE.user_code)) resolve();
      });
    });
    expect(stdout).toContain(
      `Open ${FAKE_DEVICE_CODE.verification_uri_complete} and approve code ${FAKE_DEVICE_CODE.user_code}`,
    );
    expect(controlPlane.deviceState).toBe('pending');
    controlPlane.decideDevice(true);
    expect(await exited).toBe(0);
    expect(stdout).toContain(`to account ${FAKE_ACCOUNT_ID}`);
  });

  it('exits 1 when the operator denies the sign-in', async () => {
    expect((await runInfernet(['register'], environment)).code).toBe(0);
    const child = spawnInfernet(['login'], environment);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) =>
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString('utf8').includes('approve code')) resolve();
      }),
    );
    controlPlane.decideDevice(false);
    expect(await exited).toBe(1);
    expect(stderr).toContain('denied');
  });
});
