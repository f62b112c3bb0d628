import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfernetClient } from '@infernetprotocol/sdk';
import { PAYOUT_COIN_IDS } from '@infernet/protocol';
import { runCli, startServerProcess, temporaryHome, type ServerProcess } from './processes';
import { runInfernet } from './infernet-binary';

const ETH_ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const BTC_ADDRESS = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';

describe('infernet payout and payments', () => {
  let server: ServerProcess;
  let home: Awaited<ReturnType<typeof temporaryHome>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    // One unit per delivered token, so the earning is the answer's token count.
    server = await startServerProcess({ INFERNET_PRICE_PER_MILLION_TOKENS: '1000000' });
    home = await temporaryHome();
    env = {
      HOME: home.path,
      XDG_CONFIG_HOME: join(home.path, '.config'),
      INFERNET_CONTROL_PLANE_URL: server.url,
      INFERNET_NODE_NAME: 'payee-node',
    };
    const init = await runInfernet(['init', '--engine', 'stub', '--no-advertise'], env);
    expect(init.code, init.stderr).toBe(0);
    const register = await runInfernet(['register'], env);
    expect(register.code, register.stderr).toBe(0);
  });

  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('sets payout addresses and lists them', async () => {
    const set = await runInfernet(['payout', 'set', 'ETH', ETH_ADDRESS], env);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`Payouts in ETH (Ethereum) go to ${ETH_ADDRESS}`);
    const json = await runInfernet(['payout', 'set', 'btc', BTC_ADDRESS, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ coin: 'BTC', address: BTC_ADDRESS });

    const list = await runInfernet(['payout', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const { payouts } = JSON.parse(list.stdout) as {
      payouts: { coin: string; network: string; address: string }[];
    };
    expect(payouts.map((row) => [row.coin, row.network, row.address])).toEqual([
      ['BTC', 'Bitcoin', BTC_ADDRESS],
      ['ETH', 'Ethereum', ETH_ADDRESS],
    ]);
    const table = await runInfernet(['payout', 'list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Coin\s+Network\s+Address/);
    expect(table.stdout).toContain(ETH_ADDRESS);
  });

  it('refuses an unknown coin with exit 2, listing the accepted coins', async () => {
    const run = await runInfernet(['payout', 'set', 'LTC', ETH_ADDRESS], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown coin "LTC"');
    for (const id of PAYOUT_COIN_IDS) expect(run.stderr).toContain(id);
    const coins = await runInfernet(['payout', 'coins', '--json'], env);
    expect(coins.code).toBe(0);
    expect(
      (JSON.parse(coins.stdout) as { coins: { id: string }[] }).coins.map((coin) => coin.id),
    ).toEqual(PAYOUT_COIN_IDS);
  });

  it('refuses an address of the wrong format with exit 2, naming the expected format', async () => {
    const run = await runInfernet(['payout', 'set', 'SOL', ETH_ADDRESS], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected a base58 public key');
    const list = await runInfernet(['payout', 'list', '--json'], env);
    const { payouts } = JSON.parse(list.stdout) as { payouts: { coin: string }[] };
    expect(payouts.map((row) => row.coin)).not.toContain('SOL');
  });

  it("shows the node's earnings once it has completed a job", async () => {
    const before = await runInfernet(['payments', '--json'], env);
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual({ balance: '0', payments: [] });

    const daemon = runCli(['start', '--foreground'], env);
    try {
      await daemon.waitForLine(/node ready/);
      const result = await new InfernetClient({ baseUrl: server.url }).chat({
        model: 'demo',
        messages: [{ role: 'user', content: 'Say something' }],
        stream: false,
      });
      const after = await runInfernet(['payments', '--json'], env);
      expect(after.code, after.stderr).toBe(0);
      const payments = JSON.parse(after.stdout) as {
        balance: string;
        payments: { job_id: string; amount: string; created_at: string }[];
      };
      expect(payments.payments.map((entry) => entry.job_id)).toEqual([result.jobId]);
      expect(Number(payments.payments[0]?.amount)).toBeGreaterThan(0);
      expect(payments.balance).toBe(payments.payments[0]?.amount);

      const human = await runInfernet(['payments'], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`Balance: ${payments.balance}`);
      expect(human.stdout).toContain(result.jobId);
    } finally {
      await daemon.stop();
    }
  });

  it('says to register first when the node is not registered', async () => {
    const stranger = await temporaryHome();
    try {
      const strangerEnv = {
        ...env,
        HOME: stranger.path,
        XDG_CONFIG_HOME: join(stranger.path, '.config'),
      };
      expect((await runInfernet(['init', '--engine', 'stub'], strangerEnv)).code).toBe(0);
      const run = await runInfernet(['payout', 'list'], strangerEnv);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('infernet register');
    } finally {
      await stranger.remove();
    }
  });
});
