import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '@infernet/engines';
import type { NodeJob } from '@infernet/protocol';
import {
  ApiError,
  UserAbortError,
  type CompleteInput,
  type HeartbeatInput,
  type PollOptions,
  type PollResult,
  type PostEventsInput,
  type ReleaseInput,
} from '@infernetprotocol/sdk/node';
import { resolveConfig, type CliConfig, type Identity } from '../config';
import { claimedChatJob } from '../testing/chat-job';
import { gatedEngine } from '../testing/gated-engine';
import { recordingLogger } from '../testing/recording-logger';
import { runDaemon } from './daemon';
import { JOB_WITHDRAWN_MESSAGE, RELEASE_REASON } from './job-runner';
import { ManualClock } from './manual-clock';

const PRIVATE_KEY = '7a638e08fbe541ec8f39ef9b71ad97c470b8f3df5dad53da704500d4e724885a';
const JOB = claimedChatJob({ id: 'job-1', fencing_token: 5 });

function config(
  daemon: { drainTimeoutSeconds?: number; maxConcurrentJobs?: number } = {},
): CliConfig & { identity: Identity } {
  return resolveConfig({
    environment: {
      HOME: '/nonexistent',
      INFERNET_PRIVATE_KEY: PRIVATE_KEY,
      INFERNET_ENGINE: 'stub',
    },
    file: { daemon },
  }) as CliConfig & { identity: Identity };
}

/**
 * A node API double. The first claiming poll hands out `jobs`; later ones
 * stay open until aborted, like an idle long poll. A keep-alive (`limit: 0`)
 * is answered at once with the next scripted `cancel` list.
 */
function fakeClient(
  options: { jobs?: NodeJob[]; eventFailures?: unknown[]; completeAnswered?: Promise<void> } = {},
) {
  const calls: (
    | { kind: 'register'; node_id: string }
    | { kind: 'heartbeat'; body: HeartbeatInput }
    | { kind: 'poll'; limit: number; wait: number; active: readonly string[] }
    | { kind: 'events'; jobId: string; body: PostEventsInput }
    | { kind: 'complete'; jobId: string; body: CompleteInput }
    | { kind: 'release'; jobId: string; body: ReleaseInput }
  )[] = [];
  const cancelReplies: string[][] = [];
  let jobsToHandOut = options.jobs ?? [JOB];
  const client = {
    async register(body: { node_id: string }) {
      calls.push({ kind: 'register', node_id: body.node_id });
      return { id: 'p1', node_id: body.node_id };
    },
    async heartbeat(body: HeartbeatInput = {}) {
      calls.push({ kind: 'heartbeat', body });
      return { id: 'p1' };
    },
    async poll({ limit, wait, active = [], signal }: PollOptions): Promise<PollResult> {
      calls.push({ kind: 'poll', limit, wait, active });
      if (limit === 0) return { provider_id: 'p1', jobs: [], cancel: cancelReplies.shift() ?? [] };
      if (jobsToHandOut.length > 0) {
        const jobs = jobsToHandOut;
        jobsToHandOut = [];
        return { provider_id: 'p1', jobs, cancel: [] };
      }
      return new Promise<never>((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new UserAbortError()));
      });
    },
    async postEvents(jobId: string, body: PostEventsInput) {
      calls.push({ kind: 'events', jobId, body });
      const failure = options.eventFailures?.shift();
      if (failure !== undefined) throw failure;
      return { inserted: body.events.length };
    },
    // Jobs here carry no lease token, so their batches go one job at a time (postEvents).
    async postEventBatches(): Promise<never> {
      throw new Error('not expected: these jobs carry no lease token');
    },
    async complete(jobId: string, body: CompleteInput) {
      calls.push({ kind: 'complete', jobId, body });
      await options.completeAnswered;
      return { id: jobId, status: body.status };
    },
    async release(jobId: string, body: ReleaseInput) {
      calls.push({ kind: 'release', jobId, body });
      return { id: jobId, status: 'queued' as const };
    },
  };
  const ofKind = <Kind extends (typeof calls)[number]['kind']>(kind: Kind) =>
    calls.filter((call): call is Extract<(typeof calls)[number], { kind: Kind }> => {
      return call.kind === kind;
    });
  return { client, calls, ofKind, cancelReplies };
}

const noGpus = async () => ({ gpus: [], source: 'none' as const, diagnostics: [] });

function startDaemon(
  engine: Engine,
  fake: ReturnType<typeof fakeClient>,
  daemonConfig: Parameters<typeof config>[0] = {},
) {
  const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
  const { logger, lines, logged } = recordingLogger();
  const stop = new AbortController();
  const done = runDaemon(
    {
      config: config({ drainTimeoutSeconds: 60, ...daemonConfig }),
      client: fake.client,
      engine,
      detectGpus: noGpus,
      clock,
      logger,
    },
    stop.signal,
  );
  return { clock, lines, logged, stop, done };
}

describe('runDaemon drain', () => {
  it('stops claiming at once but lets a job that finishes within the timeout complete', async () => {
    const { engine, finish, started } = gatedEngine();
    const fake = fakeClient();
    const daemon = startDaemon(engine, fake, { drainTimeoutSeconds: 1 });
    await started;
    daemon.stop.abort();
    await daemon.logged('waiting for running jobs to finish (send the signal again to exit now)');
    await daemon.clock.advance(999);
    expect(fake.ofKind('complete')).toEqual([]);
    finish();
    await daemon.done;
    expect(fake.ofKind('complete')).toEqual([
      {
        kind: 'complete',
        jobId: 'job-1',
        body: {
          status: 'completed',
          fencing_token: 5,
          result: { text: 'partial answer', reason: 'stop' },
        },
      },
    ]);
    expect(fake.ofKind('release')).toEqual([]);
    // After the stop, no poll could claim: the one in flight was aborted and none followed.
    expect(fake.ofKind('poll').filter((poll) => poll.limit > 0)).toHaveLength(2);
    expect(fake.calls.at(-1)).toEqual({ kind: 'heartbeat', body: { status: 'offline' } });
  });

  it('hands back a job still running at the drain timeout instead of failing it', async () => {
    const { engine, started, aborted } = gatedEngine();
    const fake = fakeClient();
    const daemon = startDaemon(engine, fake, { drainTimeoutSeconds: 1 });
    await started;
    daemon.stop.abort();
    await daemon.logged('waiting for running jobs to finish (send the signal again to exit now)');
    await daemon.clock.advance(1_000);
    await daemon.done;
    await aborted;
    expect(fake.ofKind('release')).toEqual([
      {
        kind: 'release',
        jobId: 'job-1',
        body: { fencing_token: 5, reason: RELEASE_REASON },
      },
    ]);
    expect(fake.ofKind('complete')).toEqual([]);
    expect(fake.calls.at(-1)).toEqual({ kind: 'heartbeat', body: { status: 'offline' } });
  });

  it('keeps the leases alive and reports itself busy while draining', async () => {
    const { engine, finish, started } = gatedEngine();
    const fake = fakeClient();
    const daemon = startDaemon(engine, fake, { drainTimeoutSeconds: 60 });
    await started;
    daemon.stop.abort();
    await daemon.logged('waiting for running jobs to finish (send the signal again to exit now)');
    await daemon.clock.advance(30_000);
    const keepAlives = fake.ofKind('poll').filter((poll) => poll.limit === 0);
    expect(keepAlives.length).toBeGreaterThanOrEqual(2);
    expect(keepAlives.every((poll) => poll.active.join() === 'job-1')).toBe(true);
    expect(fake.ofKind('heartbeat').at(-1)?.body.status).toBe('busy');
    finish();
    await daemon.done;
  });
});

describe('runDaemon capacity', () => {
  it('frees the slot once the engine is done, claiming again while complete is on its way', async () => {
    const { engine, finish, started } = gatedEngine();
    let answerComplete!: () => void;
    const completeAnswered = new Promise<void>((resolve) => (answerComplete = resolve));
    const fake = fakeClient({ completeAnswered });
    const daemon = startDaemon(engine, fake, { maxConcurrentJobs: 1 });
    await started;
    expect(fake.ofKind('poll').filter((poll) => poll.limit > 0)).toHaveLength(1);
    finish();
    await vi.waitFor(() => expect(fake.ofKind('complete')).toHaveLength(1));
    // complete is not answered yet, and still the only slot is claimable again.
    await vi.waitFor(() =>
      expect(fake.ofKind('poll').filter((poll) => poll.limit > 0)).toHaveLength(2),
    );
    // The job's lease was renewed moments ago, so the poll does not carry it.
    expect(fake.ofKind('poll').at(-1)).toMatchObject({ limit: 1, active: [] });
    // A stop now still waits for that complete before saying goodbye.
    daemon.stop.abort();
    await daemon.logged('waiting for running jobs to finish (send the signal again to exit now)');
    expect(fake.ofKind('heartbeat').some((call) => call.body.status === 'offline')).toBe(false);
    answerComplete();
    await daemon.done;
    expect(fake.ofKind('release')).toEqual([]);
    expect(fake.calls.at(-1)).toEqual({ kind: 'heartbeat', body: { status: 'offline' } });
  });
});

describe('runDaemon leases', () => {
  it('sends the fencing token and numbered batches with every call about the job', async () => {
    const { engine, finish, started } = gatedEngine();
    const fake = fakeClient();
    const daemon = startDaemon(engine, fake);
    await started;
    finish();
    await daemon.logged('job finished');
    const posts = fake.ofKind('events');
    expect(posts.map((post) => post.body.batch)).toEqual(posts.map((_post, index) => index + 1));
    expect(posts.every((post) => post.body.fencing_token === 5)).toBe(true);
    expect(fake.ofKind('complete')[0]?.body.fencing_token).toBe(5);
    daemon.stop.abort();
    await daemon.done;
  });

  it('renews a running job with keep-alives while a long poll stays open or every slot is busy', async () => {
    const { engine, finish, started } = gatedEngine();
    const twoSlots = fakeClient();
    const roomy = startDaemon(engine, twoSlots, { maxConcurrentJobs: 2 });
    await started;
    // Just claimed, the job needs no renewal yet, so the next long poll does not carry it.
    expect(twoSlots.ofKind('poll').map(({ limit, active }) => ({ limit, active }))).toEqual([
      { limit: 2, active: [] },
      { limit: 1, active: [] },
    ]);
    // The long poll stays open, so after 10 s a keep-alive renews the job.
    await roomy.clock.advance(10_000);
    expect(twoSlots.ofKind('poll').at(-1)).toEqual({
      kind: 'poll',
      limit: 0,
      wait: 0,
      active: ['job-1'],
    });
    finish();
    roomy.stop.abort();
    await roomy.done;

    const second = gatedEngine();
    const oneSlot = fakeClient();
    const busy = startDaemon(second.engine, oneSlot, { maxConcurrentJobs: 1 });
    await second.started;
    await busy.clock.advance(30_000);
    expect(oneSlot.ofKind('poll')).toEqual([
      { kind: 'poll', limit: 1, wait: 25, active: [] },
      { kind: 'poll', limit: 0, wait: 0, active: ['job-1'] },
      { kind: 'poll', limit: 0, wait: 0, active: ['job-1'] },
      { kind: 'poll', limit: 0, wait: 0, active: ['job-1'] },
    ]);
    second.finish();
    busy.stop.abort();
    await busy.done;
  });

  it('aborts the engine and frees the slot when a poll says cancel, without completing', async () => {
    const { engine, started, aborted } = gatedEngine();
    const fake = fakeClient();
    fake.cancelReplies.push(['job-1']);
    const daemon = startDaemon(engine, fake, { maxConcurrentJobs: 1 });
    await started;
    await daemon.clock.advance(10_000);
    await expect(aborted).resolves.toEqual({ kind: 'withdrawn', reason: 'POLL_CANCEL' });
    const stopped = await daemon.logged(JOB_WITHDRAWN_MESSAGE);
    expect(stopped).toMatchObject({
      level: 'info',
      fields: { jobId: 'job-1', reason: 'POLL_CANCEL' },
    });
    // The slot is free again: the daemon goes back to claiming with it.
    await daemon.clock.advance(0);
    expect(fake.ofKind('poll').at(-1)).toMatchObject({ limit: 1, wait: 25 });
    daemon.stop.abort();
    await daemon.done;
    expect(fake.ofKind('complete')).toEqual([]);
    expect(fake.ofKind('release')).toEqual([]);
    expect(JSON.stringify(daemon.lines)).not.toContain('secret prompt');
  });

  it('stops a job whose events are refused with LEASE_LOST, without completing it', async () => {
    const { engine, aborted } = gatedEngine();
    const leaseLost = ApiError.generate({
      status: 409,
      code: 'LEASE_LOST',
      message: 'stale fencing token',
      requestId: null,
      headers: new Headers(),
    });
    const fake = fakeClient({ eventFailures: [undefined, leaseLost] });
    const daemon = startDaemon(engine, fake);
    await aborted;
    await daemon.logged(JOB_WITHDRAWN_MESSAGE);
    daemon.stop.abort();
    await daemon.done;
    expect(fake.ofKind('complete')).toEqual([]);
    expect(fake.ofKind('release')).toEqual([]);
    const warnings = daemon.lines.filter((line) => line.level === 'warn' || line.level === 'error');
    expect(warnings).toEqual([]);
  });
});

describe('runDaemon restart', () => {
  it('registers as the same node on every start and assumes nothing about earlier runs', async () => {
    const nodeIds: string[] = [];
    for (let run = 0; run < 2; run += 1) {
      const { engine, finish, started } = gatedEngine();
      const fake = fakeClient();
      const daemon = startDaemon(engine, fake);
      await started;
      finish();
      await daemon.logged('job finished');
      daemon.stop.abort();
      await daemon.done;
      nodeIds.push(...fake.ofKind('register').map((call) => call.node_id));
      expect(fake.ofKind('poll')[0]).toMatchObject({ active: [] });
    }
    expect(nodeIds).toHaveLength(2);
    expect(new Set(nodeIds).size).toBe(1);
  });
});
