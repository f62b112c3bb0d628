import { describe, expect, it } from 'vitest';
import { createEngine } from '@infernet/engines';
import { ApiError, ConnectionError } from '@infernetprotocol/sdk/node';
import { StatsDataSchema, StatusDataSchema } from './ipc-protocol';
import { DaemonMonitor } from './daemon-monitor';
import { ManualClock } from './manual-clock';
import { claimedChatJob } from '../testing/chat-job';

function makeMonitor() {
  const clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
  const monitor = new DaemonMonitor({
    clock,
    identity: {
      nodeId: 'node-1',
      name: 'edge-01',
      controlPlaneUrl: 'http://cp.test',
      maxConcurrentJobs: 2,
      logFile: null,
    },
  });
  return { clock, monitor };
}

describe('DaemonMonitor', () => {
  it('reports registration, reachability and job outcomes seen through the client', async () => {
    const { clock, monitor } = makeMonitor();
    let refuse: Error | undefined;
    const client = monitor.watchClient({
      register: async () => ({ id: 'p1', node_id: 'node-1' }),
      complete: async (jobId: string, body: { status: string }) => {
        if (refuse) throw refuse;
        return { id: jobId, status: body.status };
      },
    });
    expect(monitor.status()).toMatchObject({ registered: false, connected: null });

    await client.register();
    await clock.advance(5_000);
    await client.complete('j1', { status: 'completed' });
    await client.complete('j2', { status: 'failed' });
    refuse = new ConnectionError('down');
    await expect(client.complete('j3', { status: 'completed' })).rejects.toBe(refuse);

    const status = StatusDataSchema.parse(monitor.status());
    expect(status).toMatchObject({
      registered: true,
      connected: false,
      uptimeSeconds: 5,
      nodeId: 'node-1',
      draining: false,
      lastContactAt: '2025-01-01T00:00:05.000Z',
    });
    refuse = new ApiError({
      status: 409,
      code: 'LEASE_LOST',
      message: 'gone',
      requestId: null,
      headers: new Headers(),
    });
    await expect(client.complete('j4', { status: 'completed' })).rejects.toBe(refuse);
    expect(monitor.status().connected).toBe(true);
    expect(monitor.stats().jobs).toEqual({ running: 0, completed: 1, failed: 1 });
    // The failed job and the unreachable control plane are kept; the lost lease is not a failure.
    expect(monitor.status().recentErrors).toEqual([
      { at: '2025-01-01T00:00:05.000Z', message: 'job j2 failed: no reason given' },
      { at: '2025-01-01T00:00:05.000Z', message: 'complete: control plane unreachable (down)' },
    ]);
  });

  it('keeps only the five latest errors', async () => {
    const { monitor } = makeMonitor();
    const client = monitor.watchClient({
      complete: async (jobId: string, body: { status: string; error?: string }) => ({
        id: jobId,
        status: body.status,
      }),
    });
    for (let index = 1; index <= 7; index += 1) {
      await client.complete(`j${index}`, { status: 'failed', error: 'engine crashed' });
    }
    const messages = monitor.status().recentErrors?.map((error) => error.message);
    expect(messages).toEqual(
      [3, 4, 5, 6, 7].map((index) => `job j${index} failed: engine crashed`),
    );
  });

  it('reports the P2P port once opened, advertised only when configured and open', () => {
    const make = (p2p: { enabled: boolean; advertised: boolean }) =>
      new DaemonMonitor({
        clock: new ManualClock(0),
        identity: {
          nodeId: 'n',
          name: 'n',
          controlPlaneUrl: 'http://cp.test',
          maxConcurrentJobs: 1,
          logFile: null,
          p2p,
        },
      });
    const advertised = make({ enabled: true, advertised: true });
    expect(advertised.status().p2p).toEqual({ enabled: true, port: null, advertised: false });
    advertised.setP2pPort(46337);
    expect(advertised.status().p2p).toEqual({ enabled: true, port: 46337, advertised: true });
    const quiet = make({ enabled: true, advertised: false });
    quiet.setP2pPort(46400);
    expect(quiet.status().p2p).toEqual({ enabled: true, port: 46400, advertised: false });
    const off = make({ enabled: false, advertised: true });
    expect(off.status().p2p).toEqual({ enabled: false, port: null, advertised: false });
  });

  it('lists running jobs with their elapsed time', async () => {
    const { clock, monitor } = makeMonitor();
    const handle = monitor.jobs.add(claimedChatJob(), clock.now());
    await clock.advance(2_500);
    expect(monitor.status().jobs).toEqual([
      { id: handle.id, type: 'chat', model: handle.job.model_name, elapsedSeconds: 2.5 },
    ]);
    monitor.markDraining();
    expect(monitor.status().draining).toBe(true);
  });

  it('counts the tokens of each answer and the recent rate, leaving the rest of the engine alone', async () => {
    const { clock, monitor } = makeMonitor();
    const engine = monitor.watchEngine(createEngine({ kind: 'stub' }));
    expect(engine.kind).toBe('stub');
    await expect(engine.listModels()).resolves.toEqual([expect.objectContaining({ name: 'demo' })]);
    let pieces = 0;
    for await (const chunk of engine.chat({
      model: 'demo',
      messages: [{ role: 'user', content: 'hi' }],
      maxTokens: 5,
      temperature: 0,
    })) {
      if (!chunk.done) {
        pieces += 1;
        await clock.advance(100);
      }
    }
    const stats = StatsDataSchema.parse(monitor.stats());
    expect(pieces).toBeGreaterThan(0);
    expect(stats.tokens.served).toBeGreaterThan(0);
    expect(stats.tokens.perSecondRecent).toBeCloseTo(stats.tokens.served / (pieces / 10), 1);
  });
});
