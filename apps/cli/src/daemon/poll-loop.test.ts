import { describe, expect, it } from 'vitest';
import type { NodeJob } from '@infernet/protocol';
import {
  ConnectionError,
  UserAbortError,
  type PollOptions,
  type PollResult,
} from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import { claimedChatJob } from '../testing/chat-job';
import { Connectivity } from './connectivity';
import { JobSlots } from './job-slots';
import { ManualClock, settle } from './manual-clock';
import { runPollLoop, type PollLoopOptions } from './poll-loop';
import { RunningJobs } from './running-jobs';

const job = (id: string): NodeJob => claimedChatJob({ id });
const answer = (jobs: NodeJob[], cancel: string[] = []): PollResult => ({
  provider_id: 'p1',
  jobs,
  cancel,
});

function recordingLogger() {
  const messages: string[] = [];
  const log = (fields: object, message: string) => void messages.push(message);
  const logger: Logger = { debug() {}, info: log, warn: log, error: log };
  return { logger, messages };
}

/** Answers each poll with the next scripted step; an exhausted script holds the poll until abort. */
function scriptedPolls(steps: (() => Promise<PollResult>)[]) {
  const limits: number[] = [];
  const sent: PollOptions[] = [];
  const poll = (options: PollOptions): Promise<PollResult> => {
    limits.push(options.limit);
    sent.push(options);
    const step = steps.shift();
    if (step) return step();
    return new Promise((_resolve, reject) =>
      options.signal?.addEventListener('abort', () => reject(new UserAbortError())),
    );
  };
  return { client: { poll }, limits, sent };
}

/**
 * Runs the loop with quiet defaults, so a test spells out only what it
 * looks at; `stop` aborts it and waits for it to end.
 */
function startLoop(options: Partial<PollLoopOptions> & Pick<PollLoopOptions, 'client' | 'slots'>) {
  const controller = new AbortController();
  const logger = options.logger ?? recordingLogger().logger;
  const loop = runPollLoop({
    jobs: new RunningJobs(),
    clock: new ManualClock(),
    connectivity: new Connectivity({ logger, controlPlaneUrl: 'http://cp' }),
    signal: controller.signal,
    onNotRegistered: async () => {},
    startJob: () => options.slots.acquire(),
    ...options,
    logger,
  });
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}

describe('runPollLoop', () => {
  it('claims as many jobs as there are free slots, and waits while all are busy', async () => {
    const clock = new ManualClock();
    const slots = new JobSlots(2);
    const { logger } = recordingLogger();
    const { client, limits } = scriptedPolls([
      async () => answer([job('a')]),
      async () => answer([job('b')]),
    ]);
    const started: string[] = [];
    const loop = startLoop({
      client,
      slots,
      clock,
      logger,
      startJob: (claimed) => {
        slots.acquire();
        started.push(claimed.id);
      },
    });
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(limits).toEqual([2, 1]);
    slots.release();
    await settle();
    expect(limits).toEqual([2, 1, 1]);
    await loop.stop();
  });

  it('backs off while the control plane is down and says so once, then once when back', async () => {
    const clock = new ManualClock();
    const { logger, messages } = recordingLogger();
    const down = async (): Promise<PollResult> => {
      throw new ConnectionError('fetch failed');
    };
    const { client, limits } = scriptedPolls([down, down, down, async () => answer([job('a')])]);
    const loop = startLoop({
      client,
      slots: new JobSlots(2),
      clock,
      logger,
      startJob: () => {},
      random: () => 1,
    });
    await settle();
    expect(limits).toHaveLength(1);
    await clock.advance(999);
    expect(limits).toHaveLength(1);
    await clock.advance(1); // 1 s after the first failure
    expect(limits).toHaveLength(2);
    await clock.advance(2_000); // 2 s after the second
    expect(limits).toHaveLength(3);
    await clock.advance(4_000); // 4 s after the third
    expect(limits).toHaveLength(5);
    expect(messages.filter((message) => message.startsWith('cannot reach'))).toHaveLength(1);
    expect(messages.filter((message) => message === 'control plane reachable again')).toHaveLength(
      1,
    );
    await loop.stop();
  });

  it('opens another poll for slots that free while one is open, up to maxPolls', async () => {
    const slots = new JobSlots(4);
    const { client, limits } = scriptedPolls([
      async () => answer([job('a'), job('b'), job('c'), job('d')]),
    ]);
    const loop = startLoop({ client, slots, maxPolls: 3 });
    await settle();
    expect(limits).toEqual([4]);
    // Each freed slot gets a poll of its own while the earlier ones stay open.
    slots.release();
    await settle();
    expect(limits).toEqual([4, 1]);
    slots.release();
    await settle();
    expect(limits).toEqual([4, 1, 1]);
    slots.release();
    await settle();
    expect(limits).toEqual([4, 1, 1, 1]);
    // Three polls are open: the fourth slot waits for one of them.
    slots.release();
    await settle();
    expect(limits).toEqual([4, 1, 1, 1]);
    await loop.stop();
  });

  it('carries running jobs once their renewal is half due, and stops those it says to cancel', async () => {
    const clock = new ManualClock(1_000);
    const slots = new JobSlots(3);
    const jobs = new RunningJobs();
    const { logger } = recordingLogger();
    const empty = async () => answer([]);
    const { client, sent } = scriptedPolls([
      async () => answer([job('a'), job('b')]),
      ...Array.from({ length: 5 }, () => empty),
      async () => answer([], ['a', 'unknown']),
    ]);
    const loop = startLoop({
      client,
      slots,
      jobs,
      clock,
      logger,
      startJob: (claimed) => {
        slots.acquire();
        jobs.add(claimed, clock.now());
      },
      leaseKeepAliveMs: 10_000,
    });
    await settle();
    // Just claimed: nothing to renew. An empty answer comes back at once, so polls go out a second apart.
    expect(sent.map(({ limit, active }) => ({ limit, active }))).toEqual([
      { limit: 3, active: [] },
      { limit: 1, active: [] },
    ]);
    await clock.advance(4_000);
    expect(sent).toHaveLength(6);
    expect(sent.every(({ active }) => active?.length === 0)).toBe(true);
    expect(jobs.list().every((handle) => handle.stop === undefined)).toBe(true);
    // Half of the 10 s renewal interval has passed since the claim.
    await clock.advance(1_000);
    expect(sent).toHaveLength(7);
    expect(sent.at(-1)?.active).toEqual(['a', 'b']);
    const [first, second] = jobs.list();
    expect(first?.stop).toEqual({ kind: 'withdrawn', reason: 'POLL_CANCEL' });
    expect(first?.signal.aborted).toBe(true);
    expect(second?.stop).toBeUndefined();
    await loop.stop();
  });
});
