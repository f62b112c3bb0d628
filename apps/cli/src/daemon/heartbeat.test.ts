import { describe, expect, it } from 'vitest';
import { NotFoundError, type HeartbeatInput } from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import { Connectivity } from './connectivity';
import { Heartbeat } from './heartbeat';
import { ManualClock } from './manual-clock';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const SPECS = { gpus: [], gpu_count: 0, served_models: ['demo'] };

function setup(heartbeat: (body: HeartbeatInput) => Promise<{ id: string }>) {
  const clock = new ManualClock();
  let registrations = 0;
  const beat = new Heartbeat({
    client: { heartbeat },
    clock,
    logger: silent,
    connectivity: new Connectivity({ logger: silent, controlPlaneUrl: 'http://cp' }),
    body: async () => ({ status: 'available', specs: SPECS }),
    onNotRegistered: async () => {
      registrations += 1;
    },
  });
  return { clock, beat, registrations: () => registrations };
}

describe('Heartbeat', () => {
  it('beats every 30 s with the sanitised specs, and stops when told', async () => {
    const bodies: HeartbeatInput[] = [];
    const { clock, beat } = setup(async (body) => {
      bodies.push(body);
      return { id: 'p1' };
    });
    beat.start();
    await clock.advance(29_999);
    expect(bodies).toHaveLength(0);
    await clock.advance(1);
    await clock.advance(30_000);
    expect(bodies).toEqual([
      { status: 'available', specs: SPECS },
      { status: 'available', specs: SPECS },
    ]);
    beat.stop();
    await clock.advance(120_000);
    expect(bodies).toHaveLength(2);
  });

  it('registers again when the control plane has forgotten the node', async () => {
    const { clock, beat, registrations } = setup(async () => {
      throw new NotFoundError({
        status: 404,
        code: 'NODE_NOT_REGISTERED',
        message: 'unknown node',
        requestId: null,
        headers: new Headers(),
      });
    });
    beat.start();
    await clock.advance(30_000);
    expect(registrations()).toBe(1);
    beat.stop();
  });
});
