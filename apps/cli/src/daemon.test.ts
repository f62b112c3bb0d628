import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, waitFor, type FakeEngineServer } from '@infernet/testkit';
import {
  PRIVATE_KEY,
  PUBLIC_KEY,
  startFakeControlPlane,
  type FakeControlPlane,
  type FakeControlPlaneOptions,
} from './testing/fake-control-plane';
import { JOB_WITHDRAWN_MESSAGE, RELEASE_REASON } from './daemon/job-runner';
import { baseEnvironment, makeHome, spawnInfernet } from './testing/run-infernet';

const SLOW_MODEL = 'slow-model';

interface Received {
  path: string;
  body: Record<string, unknown>;
}
type LogLine = { msg: string } & Record<string, unknown>;

/** A running `infernet start --foreground` with its output collected as it comes. */
function startDaemon(
  controlPlane: FakeControlPlane,
  home: string,
  extra: { environment?: Record<string, string>; flags?: string[] } = {},
) {
  const child: ChildProcess = spawnInfernet(
    ['start', '--foreground', ...(extra.flags ?? [])],
    baseEnvironment(home, {
      INFERNET_CONTROL_PLANE_URL: controlPlane.url,
      INFERNET_ENGINE: 'stub',
      INFERNET_PRIVATE_KEY: PRIVATE_KEY,
      INFERNET_NODE_NAME: 'edge-01',
      ...extra.environment,
    }),
  );
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logLines = () =>
    output.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  const waitForLog = (message: string, timeoutMs = 15_000) =>
    waitFor(() => logLines().find((line) => line.msg === message), {
      timeoutMs,
      description: `log line "${message}"`,
    });
  return { child, output, exited, logLines, waitForLog };
}

const ofPath = (received: Received[], suffix: string) =>
  received.filter((entry) => entry.path.endsWith(suffix));

type Event = { event_type: string; data: { text?: string } };

describe('infernet start --foreground', () => {
  let controlPlane: FakeControlPlane | undefined;
  let engine: FakeEngineServer | undefined;
  let home: ReturnType<typeof makeHome>;
  let daemon: ReturnType<typeof startDaemon> | undefined;
  beforeEach(() => {
    home = makeHome();
  });
  afterEach(async () => {
    daemon?.child.kill('SIGKILL');
    await controlPlane?.close();
    await engine?.close();
    home.cleanup();
  });

  async function withControlPlane(options?: FakeControlPlaneOptions) {
    controlPlane = await startFakeControlPlane(options);
    return controlPlane;
  }

  /** An Ollama that streams 200 tokens, 50 ms apart: a job that is still running when the test acts. */
  async function slowEngine() {
    engine = await startFakeOllama({
      models: [SLOW_MODEL],
      tokenDelayMs: 50,
      reply: () => Array.from({ length: 200 }, (_, index) => `t${index} `),
    });
    return { INFERNET_ENGINE: 'ollama', INFERNET_ENGINE_URL: engine.url };
  }

  it('registers from env config alone, serves a job, and drains on SIGTERM', async () => {
    const plane = await withControlPlane();
    daemon = startDaemon(plane, home.home);
    const ready = await daemon.waitForLog('node ready');
    expect(ready).toMatchObject({ nodeId: `node-${PUBLIC_KEY.slice(0, 16)}`, models: ['demo'] });

    const register = ofPath(plane.received, '/register')[0];
    expect(Object.keys(register?.body ?? {}).sort()).toEqual([
      'address',
      'name',
      'node_id',
      'port',
      'specs',
    ]);
    // Outbound-only by default: both sent as null, clearing anything published before.
    expect(register?.body).toMatchObject({ address: null, port: null });
    expect(register?.body.specs).toEqual({ gpus: [], gpu_count: 0, served_models: ['demo'] });

    const completion = await waitFor(() => ofPath(plane.received, '/complete')[0], {
      timeoutMs: 15_000,
    });
    expect(completion.body).toMatchObject({
      status: 'completed',
      fencing_token: 1,
      result: { reason: 'stop' },
    });
    const posts = ofPath(plane.received, '/events');
    expect(posts.map((post) => post.body.batch)).toEqual(posts.map((_post, index) => index + 1));
    expect(posts.every((post) => post.body.fencing_token === 1)).toBe(true);
    const events = posts.flatMap((post) => post.body.events as Event[]);
    expect(events[0]?.event_type).toBe('meta');
    const streamed = events.map((event) => event.data.text ?? '').join('');
    expect(streamed).toBe((completion.body.result as { text: string }).text);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.logLines().at(-1)?.msg).toBe('node stopped');
    expect(ofPath(plane.received, '/heartbeat').at(-1)?.body).toEqual({ status: 'offline' });
    expect(daemon.output.stdout).not.toContain(PRIVATE_KEY);
    expect(daemon.output.stdout).not.toContain('a private question');
    expect(daemon.output.stderr).toBe('');
  });

  it('re-sends a batch whose answer was lost under the same number, so nothing is stored twice', async () => {
    const plane = await withControlPlane({ loseEventAnswers: 1 });
    daemon = startDaemon(plane, home.home);
    const completion = await waitFor(() => ofPath(plane.received, '/complete')[0], {
      timeoutMs: 15_000,
    });
    const posts = ofPath(plane.received, '/events');
    expect(posts[1]?.body).toEqual(posts[0]?.body);
    const stored = plane.job('job-1')?.events ?? [];
    expect(stored.filter((event) => event.event_type === 'meta')).toHaveLength(1);
    const streamed = stored.map((event) => event.data.text ?? '').join('');
    expect(streamed).toBe((completion.body.result as { text: string }).text);
  });

  it('stops generating and never completes a job the consumer cancels', async () => {
    const plane = await withControlPlane({ jobs: [{ id: 'job-1', model: SLOW_MODEL }] });
    daemon = startDaemon(plane, home.home, { environment: await slowEngine() });
    await waitFor(
      () =>
        ofPath(plane.received, '/events').some((post) =>
          (post.body.events as Event[]).some((event) => event.event_type === 'token'),
        ),
      { timeoutMs: 15_000, description: 'a token batch' },
    );
    plane.cancel('job-1');
    const stopped = await daemon.waitForLog(JOB_WITHDRAWN_MESSAGE);
    expect(stopped).toMatchObject({ level: 30, jobId: 'job-1', reason: 'JOB_CANCELLED' });
    await waitFor(() => engine?.calls.some((call) => call.outcome === 'client-closed'), {
      description: 'the engine request aborted',
    });
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(ofPath(plane.received, '/complete')).toEqual([]);
    expect(ofPath(plane.received, '/release')).toEqual([]);
    expect(daemon.output.stdout).not.toContain('a private question');
  });

  it('hands back a job still running when the drain timeout ends, and exits 0', async () => {
    const plane = await withControlPlane({ jobs: [{ id: 'job-1', model: SLOW_MODEL }] });
    daemon = startDaemon(plane, home.home, {
      environment: await slowEngine(),
      flags: ['--drain-timeout', '1'],
    });
    await daemon.waitForLog('job started');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(ofPath(plane.received, '/release').map((entry) => entry.body)).toEqual([
      { fencing_token: 1, reason: RELEASE_REASON },
    ]);
    expect(ofPath(plane.received, '/complete')).toEqual([]);
    // Tokens had reached the consumer, so the control plane failed it rather than re-queueing it.
    expect(plane.job('job-1')?.status).toBe('failed');
    expect(engine?.calls.some((call) => call.outcome === 'client-closed')).toBe(true);
    expect(ofPath(plane.received, '/heartbeat').at(-1)?.body).toEqual({ status: 'offline' });
  });

  it('exits at once, non-zero, on a second signal while draining', async () => {
    const plane = await withControlPlane({ jobs: [{ id: 'job-1', model: SLOW_MODEL }] });
    daemon = startDaemon(plane, home.home, { environment: await slowEngine() });
    await daemon.waitForLog('job started');
    daemon.child.kill('SIGTERM');
    await daemon.waitForLog(
      'waiting for running jobs to finish (send the signal again to exit now)',
    );
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(130);
    expect(ofPath(plane.received, '/complete')).toEqual([]);
  });
});
