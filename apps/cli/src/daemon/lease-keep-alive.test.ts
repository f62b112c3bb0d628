import { describe, expect, it } from 'vitest';
import { ConnectionError, type PollOptions, type PollResult } from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import { claimedChatJob } from '../testing/chat-job';
import { Connectivity } from './connectivity';
import { DEFAULT_LEASE_KEEP_ALIVE_MS, LeaseKeepAlive } from './lease-keep-alive';
import { ManualClock, settle } from './manual-clock';
import { pollWithLeases } from './poll-with-leases';
import { RunningJobs } from './running-jobs';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const claimChatJobWithLease = (leaseExpiresAt: string | null, id = 'a') =>
  claimedChatJob({ id, lease_expires_at: leaseExpiresAt });

interface SentPoll {
  at: number;
  limit: number;
  wait: number;
  active: readonly string[];
}

/** A poll double that records when and what it was sent; `answer` scripts the next replies. */
function recordingPoll(clock: ManualClock) {
  const sent: SentPoll[] = [];
  const replies: (() => Promise<PollResult>)[] = [];
  const poll = async ({ limit, wait, active = [] }: PollOptions): Promise<PollResult> => {
    sent.push({ at: clock.now(), limit, wait, active });
    const reply = replies.shift();
    return reply ? reply() : { provider_id: 'p1', jobs: [], cancel: [] };
  };
  return { client: { poll }, sent, replies };
}

function setup() {
  const clock = new ManualClock();
  const jobs = new RunningJobs();
  const recorder = recordingPoll(clock);
  const keepAlive = new LeaseKeepAlive({
    client: recorder.client,
    jobs,
    clock,
    logger: silent,
    connectivity: new Connectivity({ logger: silent, controlPlaneUrl: 'http://cp' }),
  });
  return { clock, jobs, keepAlive, ...recorder };
}

describe('LeaseKeepAlive', () => {
  it('renews every 10 s (a third of the 30 s lease) while a job runs, and never while none does', async () => {
    const { clock, jobs, keepAlive, sent } = setup();
    expect(DEFAULT_LEASE_KEEP_ALIVE_MS).toBe(10_000);
    keepAlive.start();
    await clock.advance(60_000);
    expect(sent).toEqual([]);

    const handle = jobs.add(claimedChatJob({ id: 'a' }), clock.now());
    await clock.advance(9_999);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent).toEqual([{ at: 70_000, limit: 0, wait: 0, active: ['a'] }]);
    await clock.advance(20_000);
    expect(sent.map(({ at }) => at)).toEqual([70_000, 80_000, 90_000]);

    jobs.remove(handle);
    await clock.advance(60_000);
    expect(sent).toHaveLength(3);
    keepAlive.stop();
  });

  it('waits when a long poll carrying the jobs went out more recently', async () => {
    const { clock, jobs, keepAlive, sent, client } = setup();
    keepAlive.start();
    jobs.add(claimedChatJob({ id: 'a' }), clock.now());
    await clock.advance(6_000);
    // The poll loop's long poll: it carries `a` and stays open.
    void pollWithLeases({ client, jobs, clock }, { limit: 1, wait: 25 });
    await clock.advance(9_999);
    expect(sent.map(({ at, limit }) => ({ at, limit }))).toEqual([{ at: 6_000, limit: 1 }]);
    await clock.advance(1);
    expect(sent.at(-1)).toEqual({ at: 16_000, limit: 0, wait: 0, active: ['a'] });
    keepAlive.stop();
  });

  it('renews a job claimed later at its own due time', async () => {
    const { clock, jobs, keepAlive, sent } = setup();
    keepAlive.start();
    jobs.add(claimedChatJob({ id: 'a' }), clock.now());
    await clock.advance(4_000);
    jobs.add(claimedChatJob({ id: 'b' }), clock.now());
    await clock.advance(6_000);
    expect(sent).toEqual([{ at: 10_000, limit: 0, wait: 0, active: ['a', 'b'] }]);
    await clock.advance(10_000);
    expect(sent.map(({ at }) => at)).toEqual([10_000, 20_000]);
    keepAlive.stop();
  });

  it('renews a shorter lease, as the claim reports it, at a third of its length', async () => {
    const { clock, jobs, keepAlive, sent } = setup();
    keepAlive.start();
    const claimedAt = clock.now();
    const leaseExpiresAt = new Date(claimedAt + 3_000).toISOString();
    jobs.add(claimChatJobWithLease(leaseExpiresAt), claimedAt);
    await clock.advance(3_000);
    expect(sent.map(({ at }) => at)).toEqual([1_000, 2_000, 3_000]);
    keepAlive.stop();
  });

  it('falls back to the configured interval when the lease makes no sense locally', async () => {
    const { clock, jobs, keepAlive, sent } = setup();
    keepAlive.start();
    // Already expired by this node's clock (a skewed clock), or not given at all.
    jobs.add(claimChatJobWithLease(new Date(clock.now() - 5_000).toISOString(), 'a'), 0);
    jobs.add(claimChatJobWithLease(null, 'b'), 0);
    await clock.advance(10_000);
    expect(sent).toEqual([{ at: 10_000, limit: 0, wait: 0, active: ['a', 'b'] }]);
    keepAlive.stop();
  });

  it('stops the jobs its answer lists in cancel', async () => {
    const { clock, jobs, keepAlive, replies } = setup();
    keepAlive.start();
    const cancelled = jobs.add(claimedChatJob({ id: 'a' }), clock.now());
    const kept = jobs.add(claimedChatJob({ id: 'b' }), clock.now());
    replies.push(async () => ({ provider_id: 'p1', jobs: [], cancel: ['a'] }));
    await clock.advance(10_000);
    expect(cancelled.stop).toEqual({ kind: 'withdrawn', reason: 'POLL_CANCEL' });
    expect(cancelled.signal.aborted).toBe(true);
    expect(kept.stop).toBeUndefined();
    keepAlive.stop();
  });

  it('never sends two at once, and after a failure tries again an interval later', async () => {
    const { clock, jobs, keepAlive, sent, replies } = setup();
    keepAlive.start();
    jobs.add(claimedChatJob({ id: 'a' }), clock.now());
    let answerSlowPoll!: () => void;
    replies.push(
      () =>
        new Promise((resolve) => {
          answerSlowPoll = () => resolve({ provider_id: 'p1', jobs: [], cancel: [] });
        }),
      async () => {
        throw new ConnectionError('fetch failed');
      },
    );
    await clock.advance(35_000);
    expect(sent.map(({ at }) => at)).toEqual([10_000]);
    answerSlowPoll();
    await settle();
    // Sent at 10 s and long overdue: the next goes out at once, and fails.
    await clock.advance(0);
    expect(sent.map(({ at }) => at)).toEqual([10_000, 35_000]);
    await clock.advance(9_999);
    expect(sent).toHaveLength(2);
    await clock.advance(1);
    expect(sent.map(({ at }) => at)).toEqual([10_000, 35_000, 45_000]);
    keepAlive.stop();
    await clock.advance(60_000);
    expect(sent).toHaveLength(3);
  });
});

describe('pollWithLeases', () => {
  it('never lets a stale answer stop a newer claim of the same job', async () => {
    const clock = new ManualClock();
    const jobs = new RunningJobs();
    const first = jobs.add(claimedChatJob({ id: 'a', fencing_token: 1 }), 0);
    let answer!: (result: PollResult) => void;
    const client = {
      poll: () => new Promise<PollResult>((resolve) => (answer = resolve)),
    };
    const pending = pollWithLeases({ client, jobs, clock }, { limit: 0, wait: 0 });
    // Meanwhile the first run ended and the job was claimed again.
    jobs.remove(first);
    const second = jobs.add(claimedChatJob({ id: 'a', fencing_token: 2 }), 0);
    answer({ provider_id: 'p1', jobs: [], cancel: ['a'] });
    await pending;
    expect(second.stop).toBeUndefined();
    expect(first.stop).toEqual({ kind: 'withdrawn', reason: 'POLL_CANCEL' });
  });
});
