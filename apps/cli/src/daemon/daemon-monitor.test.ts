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
