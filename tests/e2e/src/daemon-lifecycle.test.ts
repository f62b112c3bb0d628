import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InfernetClient, type JobStreamEvent } from '@infernetprotocol/sdk';
import { startFakeOllama, waitFor } from '@infernet/testkit';
import { startServerProcess, temporaryHome, type ServerProcess } from './processes';
import { runInfernet } from './infernet-binary';

const MODEL = 'llama3.2:1b';
const REPLY = Array.from({ length: 40 }, (_, index) => `word${index} `);

interface Home {
  env: Record<string, string>;
  directory: string;
  file(name: string): string;
  remove(): Promise<void>;
}

let tokenPaceMs = 0;

describe('the detached daemon: start, status, stop, logs, config', () => {
  let server: ServerProcess;
  let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  const homes: Home[] = [];

  async function newHome(): Promise<Home> {
    const home = await temporaryHome();
    const directory = join(home.path, '.config', 'infernet');
    const created: Home = {
      env: {
        HOME: home.path,
        XDG_CONFIG_HOME: join(home.path, '.config'),
        INFERNET_CONTROL_PLANE_URL: server.url,
        INFERNET_ENGINE: 'ollama',
        INFERNET_ENGINE_URL: ollama.url,
        INFERNET_NODE_NAME: 'lifecycle-node',
        // Any free port, so the daemon's P2P listener never collides with another test's.
        INFERNET_P2P_PORT: '0',
      },
      directory,
      file: (name) => join(directory, name),
      remove: () => home.remove(),
    };
    homes.push(created);
    const init = await runInfernet(['init', '--no-advertise'], created.env);
    expect(init.code).toBe(0);
    return created;
  }

  beforeAll(async () => {
    ollama = await startFakeOllama({
      models: [MODEL],
      reply: () => REPLY,
      // While a test holds the answer back, tokens after the first two come slowly: the
      // job is mid-answer when `infernet stop` arrives, however slow the machine.
      delayBeforeToken: (index) => (index < 2 ? 0 : tokenPaceMs),
    });
    server = await startServerProcess();
  });

  afterEach(async () => {
    // A failed test must not leave a daemon behind: kill the one its pid file names.
    for (const home of homes.splice(0)) {
      const pid = Number.parseInt(
        existsSync(home.file('daemon.pid')) ? readFileSync(home.file('daemon.pid'), 'utf8') : '',
        10,
      );
      if (Number.isInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await home.remove();
    }
  });

  afterAll(async () => {
    tokenPaceMs = 0;
    await server?.stop();
    await ollama?.close();
  });

  it('finishes the job in flight before `infernet stop` lets the daemon exit', async () => {
    const home = await newHome();
    const idle = await runInfernet(['stop'], home.env);
    expect(idle.code).toBe(3);
    expect(idle.stderr).toContain('No node daemon is running');

    const started = await runInfernet(['start'], home.env);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);
    expect(started.stdout).toContain(home.file('daemon.log'));
    expect(readFileSync(home.file('daemon.pid'), 'utf8').trim()).toBe(String(pid));
    expect(statSync(home.file('daemon.sock')).mode & 0o777).toBe(0o600);

    const readStatus = async () => {
      const status = await runInfernet(['status', '--json'], home.env);
      expect(status.code).toBe(0);
      return JSON.parse(status.stdout) as {
        registered: boolean;
        daemon: {
          running: boolean;
          pid: number;
          jobs: { id: string; model: string }[];
          p2p: { enabled: boolean; port: number | null; advertised: boolean };
        };
      };
    };
    await waitFor(async () => (await readStatus()).registered, {
      timeoutMs: 20_000,
      description: 'the daemon registered',
    });

    const client = new InfernetClient({ baseUrl: server.url });
    tokenPaceMs = 500;
    const job = await client.submit({
      model: MODEL,
      messages: [{ role: 'user', content: 'Say something' }],
    });
    let firstToken!: () => void;
    const tokenArrived = new Promise<void>((resolve) => (firstToken = resolve));
    const streamed = (async () => {
      const events: JobStreamEvent[] = [];
      for await (const event of client.streamJob(job)) {
        events.push(event);
        if (event.event === 'token') firstToken();
      }
      return events;
    })();
    await tokenArrived;

    const status = await readStatus();
    expect(status.daemon).toMatchObject({ running: true, pid });
    // Listening on the port it picked, but `init --no-advertise` keeps it unpublished.
    expect(status.daemon.p2p).toEqual({
      enabled: true,
      port: expect.any(Number),
      advertised: false,
    });
    expect(status.daemon.jobs).toEqual([expect.objectContaining({ id: job.jobId, model: MODEL })]);
    const human = await runInfernet(['status'], home.env);
    expect(human.stdout).toMatch(/Daemon\s+running, pid \d+/);
    expect(human.stdout).toContain(job.jobId);
    expect(human.stdout).toMatch(/P2P\s+port \d+, not advertised/);

    const stopping = runInfernet(['stop'], home.env);
    // Once the daemon is draining, the rest of the answer flows.
    await waitFor(() => readFileSync(home.file('daemon.log'), 'utf8').includes('shutting down'), {
      timeoutMs: 20_000,
      description: 'the daemon draining',
    });
    tokenPaceMs = 5;
    const stopped = await stopping;
    expect(stopped.stderr).toBe('');
    expect(stopped).toMatchObject({ code: 0 });
    expect(stopped.stdout).toContain('letting 1 running job finish');
    expect(stopped.stdout).toContain('Stopped.');

    const events = await streamed;
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    expect(done?.event === 'done' && done.data.text).toBe(REPLY.join(''));
    expect(existsSync(home.file('daemon.pid'))).toBe(false);
    expect(existsSync(home.file('daemon.sock'))).toBe(false);

    // The log says the same, in order: stop asked, the job finished, then the node stopped.
    const logs = await runInfernet(['logs', '--json', '-n', '500'], home.env);
    expect(logs.code).toBe(0);
    const messages = logs.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; jobId?: string });
    const at = (message: string) => messages.findIndex((line) => line.msg === message);
    expect(at('node ready')).toBeGreaterThanOrEqual(0);
    expect(at('shutting down: no new jobs; finishing running ones')).toBeLessThan(
      messages.findIndex((line) => line.msg === 'job finished' && line.jobId === job.jobId),
    );
    expect(messages.findIndex((line) => line.msg === 'job finished')).toBeLessThan(
      at('node stopped'),
    );
    expect(messages.at(-1)?.msg).toBe('node stopped');

    const tail = await runInfernet(['logs', '-n', '2'], home.env);
    expect(tail.code).toBe(0);
    const lines = tail.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/INFO\s+node stopped/);

    const stats = await runInfernet(['stats'], home.env);
    expect(stats.code).toBe(3);
    const status3 = await runInfernet(['status'], home.env);
    expect(status3.code).toBe(3);
    expect(status3.stdout).toContain('not running');
  });

  it('counts served jobs and tokens in `infernet stats`', async () => {
    const home = await newHome();
    expect((await runInfernet(['start'], home.env)).code).toBe(0);
    await waitFor(
      async () => JSON.parse((await runInfernet(['status', '--json'], home.env)).stdout).registered,
      { timeoutMs: 20_000, description: 'the daemon registered' },
    );
    const client = new InfernetClient({ baseUrl: server.url });
    const result = await client.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'Count me' }],
      stream: false,
    });
    expect(result.text).toBe(REPLY.join(''));
    // The daemon counts the job once the control plane confirmed its completion.
    const stats = await waitFor(
      async () => {
        const run = await runInfernet(['stats', '--json'], home.env);
        return JSON.parse(run.stdout).jobs.completed === 1 ? run : undefined;
      },
      { timeoutMs: 10_000, description: 'the completed job counted' },
    );
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      running: true,
      jobs: { completed: 1, failed: 0, running: 0 },
      tokens: { served: REPLY.length },
      earnings: null,
    });
    expect((await runInfernet(['stats'], home.env)).stdout).toMatch(/Jobs completed\s+1/);
    expect((await runInfernet(['stop'], home.env)).code).toBe(0);
  });

  it('refuses a second daemon for the same config, and cleans up after a dead one', async () => {
    const home = await newHome();
    expect((await runInfernet(['start'], home.env)).code).toBe(0);
    const again = await runInfernet(['start'], home.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already runs for this config');
    expect((await runInfernet(['stop'], home.env)).code).toBe(0);

    // A pid file naming a process that is gone (a crash, a reboot) is stale.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(home.file('daemon.pid'), `${dead}\n`, { mode: 0o600 });
    const restarted = await runInfernet(['start'], home.env);
    expect(restarted.code).toBe(0);
    expect(restarted.stderr).toContain('Removed a stale pid file');
    expect((await runInfernet(['stop'], home.env)).code).toBe(0);
    const none = await runInfernet(['stop'], home.env);
    expect(none.code).toBe(3);
  });

  it('shows the configuration with secrets redacted, and drops a legacy database key', async () => {
    const home = await newHome();
    const config = JSON.parse(readFileSync(home.file('config.json'), 'utf8')) as {
      node: { privateKey: string };
    };
    writeFileSync(
      home.file('config.json'),
      JSON.stringify({ ...config, supabase: { serviceRoleKey: 'service-role-secret' } }),
      { mode: 0o600 },
    );
    const shown = await runInfernet(['config', 'show', '--json'], home.env);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('supabase');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      node: { privateKey: '[redacted]', name: 'lifecycle-node' },
      engine: { kind: 'ollama', url: ollama.url },
    });
    const human = await runInfernet(['config', 'show'], home.env);
    expect(human.stdout).toMatch(/Private key\s+\[redacted\]/);
    for (const output of [shown.stdout, human.stdout]) {
      expect(output).not.toContain(config.node.privateKey);
      expect(output).not.toContain('service-role-secret');
    }
    expect(readFileSync(home.file('config.json'), 'utf8')).not.toContain('service-role-secret');
  });

  it('refuses a config other users can read until `infernet init` fixes it', async () => {
    const home = await newHome();
    chmodSync(home.file('config.json'), 0o644);
    const refused = await runInfernet(['start'], home.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('other users can read it');
    expect(refused.stderr).toContain('infernet init');
    expect(refused.stderr).toContain(`chmod 600 ${home.file('config.json')}`);
    expect(existsSync(home.file('daemon.pid'))).toBe(false);

    const fixed = await runInfernet(['init'], home.env);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('Fixed the permissions');
    expect(statSync(home.file('config.json')).mode & 0o777).toBe(0o600);
    expect((await runInfernet(['config', 'show'], home.env)).code).toBe(0);
  });
});
