import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PRIVATE_KEY,
  PUBLIC_KEY,
  startFakeControlPlane,
  type FakeControlPlane,
} from './testing/fake-control-plane';
import { baseEnvironment, makeHome, spawnInfernet } from './testing/run-infernet';

function waitFor<T>(check: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('infernet start --foreground', () => {
  let controlPlane: FakeControlPlane;
  let home: ReturnType<typeof makeHome>;
  beforeEach(async () => {
    controlPlane = await startFakeControlPlane();
    home = makeHome();
  });
  afterEach(async () => {
    await controlPlane.close();
    home.cleanup();
  });

  it('registers from env config alone, serves a job, and drains on SIGTERM', async () => {
    const daemon = spawnInfernet(
      ['start', '--foreground'],
      baseEnvironment(home.home, {
        INFERNET_CONTROL_PLANE_URL: controlPlane.url,
        INFERNET_ENGINE: 'stub',
        INFERNET_PRIVATE_KEY: PRIVATE_KEY,
        INFERNET_NODE_NAME: 'edge-01',
      }),
    );
    let stdout = '';
    let stderr = '';
    daemon.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    daemon.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) =>
      daemon.on('exit', (code) => resolve(code)),
    );
    const logLines = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg: string } & Record<string, unknown>);

    try {
      const ready = await waitFor(() => logLines().find((line) => line.msg === 'node ready'));
      expect(ready).toMatchObject({ nodeId: `node-${PUBLIC_KEY.slice(0, 16)}`, models: ['demo'] });

      const register = controlPlane.received.find((entry) => entry.path.endsWith('/register'));
      expect(Object.keys(register?.body ?? {}).sort()).toEqual(['name', 'node_id', 'specs']);
      expect(register?.body.specs).toEqual({ gpus: [], gpu_count: 0, served_models: ['demo'] });

      const completion = await waitFor(() =>
        controlPlane.received.find((entry) => entry.path.endsWith('/complete')),
      );
      expect(completion.body).toMatchObject({ status: 'completed', result: { reason: 'stop' } });
      const events = controlPlane.received
        .filter((entry) => entry.path.endsWith('/events'))
        .flatMap((entry) => entry.body.events as { event_type: string; data: { text?: string } }[]);
      expect(events[0]?.event_type).toBe('meta');
      const streamed = events.map((event) => event.data.text ?? '').join('');
      expect(streamed).toBe((completion.body.result as { text: string }).text);

      daemon.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(logLines().at(-1)?.msg).toBe('node stopped');
      const lastBeat = controlPlane.received
        .filter((entry) => entry.path.endsWith('/heartbeat'))
        .at(-1);
      expect(lastBeat?.body).toEqual({ status: 'offline' });
      expect(stdout).not.toContain(PRIVATE_KEY);
      expect(stdout).not.toContain('a private question');
      expect(stderr).toBe('');
    } finally {
      daemon.kill('SIGKILL');
    }
  });
});
