import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInfernet } from './infernet-binary';
import { asOperator, linkedNodeNames, signUpOperator } from './operator-account';
import { runCli, startServerProcess, temporaryHome, type ServerProcess } from './processes';

/**
 * `infernet login` end to end: the real control plane, the real binary in a
 * temporary HOME, an operator who signs up and mints a deploy token (or
 * approves a device code) with a session cookie, as the dashboard does.
 */
describe('infernet login against the control plane', () => {
  let server: ServerProcess;
  const homes: { remove(): Promise<void> }[] = [];

  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterEach(async () => {
    for (const home of homes.splice(0)) await home.remove();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function newNode(name: string) {
    const home = await temporaryHome();
    homes.push(home);
    const env = {
      HOME: home.path,
      XDG_CONFIG_HOME: join(home.path, '.config'),
      INFERNET_CONTROL_PLANE_URL: server.url,
      INFERNET_ENGINE: 'stub',
      INFERNET_NODE_NAME: name,
    };
    const init = await runInfernet(['init'], env);
    expect(init.code, init.stderr).toBe(0);
    return { env, configFile: join(home.path, '.config', 'infernet', 'config.json') };
  }

  it('links a fresh node with a deploy token: registers it first, saves the token nowhere', async () => {
    const operator = await signUpOperator(server.url, 'deployer@example.com');
    const minted = await asOperator(operator, '/api/deploy/tokens', { label: 'e2e' });
    expect(minted.status).toBe(201);
    const { token } = minted.body.data as { token: string };
    const node = await newNode('token-node');

    const login = await runInfernet(['login'], { ...node.env, INFERNET_BEARER: token });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('Registered token-node');
    expect(login.stdout).toContain(`to account ${operator.accountId}`);
    expect(login.stdout + login.stderr).not.toContain(token);
    expect(readFileSync(node.configFile, 'utf8')).not.toContain(token);
    expect(await linkedNodeNames(operator)).toEqual(['token-node']);

    // The token is counted as used once, and linking again is harmless.
    const again = await runInfernet(['login', '--token', token, '--json'], node.env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      linked: true,
      account_id: operator.accountId,
    });

    const revoked = await asOperator(operator, '/api/deploy/tokens');
    const [listed] = revoked.body.data as { id: string; nodes_linked: number }[];
    expect(listed?.nodes_linked).toBe(1);
    await fetch(`${server.url}/api/deploy/tokens/${listed?.id}`, {
      method: 'DELETE',
      headers: { cookie: operator.cookie },
    });
    const refused = await runInfernet(['login', '--token', token], node.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('/deploy');
    expect(refused.stderr).not.toContain(token);
  }, 180_000);

  it('signs in with a device code the operator approves in the browser', async () => {
    const operator = await signUpOperator(server.url, 'approver@example.com');
    const node = await newNode('device-node');
    const login = runCli(['login'], node.env);
    const prompt = await login.waitForLine(/approve code ([A-Z0-9]{4}-[A-Z0-9]{4})/, 60_000);
    const userCode = /approve code ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(prompt)![1]!;
    expect(prompt).toContain(`/device?code=${userCode}`);

    const pending = await asOperator(operator, `/api/device/${userCode}`);
    expect(pending.body.data).toMatchObject({ node_name: 'device-node', status: 'pending' });
    const approved = await asOperator(operator, '/api/device/approve', {
      user_code: userCode,
      approve: true,
    });
    expect(approved.status).toBe(200);

    expect(await login.exited).toBe(0);
    expect(login.lines.join('\n')).toContain(`to account ${operator.accountId}`);
    expect(await linkedNodeNames(operator)).toEqual(['device-node']);
  });

  it('exits 1 when the operator denies the device sign-in', async () => {
    const operator = await signUpOperator(server.url, 'denier@example.com');
    const node = await newNode('denied-node');
    const login = runCli(['login'], node.env);
    const prompt = await login.waitForLine(/approve code ([A-Z0-9]{4}-[A-Z0-9]{4})/, 60_000);
    const userCode = /approve code ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(prompt)![1]!;
    const denied = await asOperator(operator, '/api/device/approve', {
      user_code: userCode,
      approve: false,
    });
    expect(denied.status).toBe(200);
    expect(await login.exited).toBe(1);
    expect(login.lines.join('\n')).toContain('denied');
    expect(await linkedNodeNames(operator)).toEqual([]);
  });
});
