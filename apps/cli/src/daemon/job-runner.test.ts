import { describe, expect, it } from 'vitest';
import { createStubEngine, type ChatStreamRequest, type Engine } from '@infernet/engines';
import { InfernetError } from '@infernet/protocol';
import {
  ApiError,
  UserAbortError,
  type CallOptions,
  type CompleteInput,
  type PostEventsInput,
  type PostEventsOptions,
  type ReleaseInput,
} from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import { claimedChatJob } from '../testing/chat-job';
import { gatedEngine } from '../testing/gated-engine';
import { JobHandle } from './job-handle';
import {
  JOB_WITHDRAWN_MESSAGE,
  RELEASE_REASON,
  errorMessageForConsumer,
  runChatJob,
} from './job-runner';
import { ManualClock, settle } from './manual-clock';

const START = Date.parse('2026-03-01T12:00:00Z');

function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const log = (level: string) => (fields: object, message: string) =>
    lines.push({ level, fields: fields as Record<string, unknown>, message });
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  return { logger, lines };
}

function conflict(code: string): ApiError {
  return ApiError.generate({
    status: 409,
    code,
    message: `refused: ${code}`,
    requestId: null,
    headers: new Headers(),
  });
}

type Call =
  | { kind: 'events'; body: PostEventsInput }
  | { kind: 'complete'; body: CompleteInput; leaseToken: string | undefined }
  | { kind: 'release'; body: ReleaseInput };

/**
 * Records every call; each kind fails with the next scripted error, if any.
 * `holdEvents` keeps event posts open until released or aborted by their signal.
 */
function fakeClient(
  failures: { events?: unknown[]; complete?: unknown[]; release?: unknown[] } = {},
) {
  const calls: Call[] = [];
  let hold: Promise<void> | undefined;
  const failNext = (kind: keyof typeof failures) => {
    const error = failures[kind]?.shift();
    if (error !== undefined) throw error;
  };
  return {
    calls,
    holdEvents() {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
    client: {
      async postEvents(_jobId: string, body: PostEventsInput, options: CallOptions = {}) {
        calls.push({ kind: 'events', body });
        failNext('events');
        if (hold) {
          const held = hold;
          await new Promise<void>((resolve, reject) => {
            void held.then(resolve);
            options.signal?.addEventListener('abort', () => reject(new UserAbortError()));
          });
        }
        return { inserted: body.events.length };
      },
      async complete(jobId: string, body: CompleteInput, options: PostEventsOptions = {}) {
        calls.push({ kind: 'complete', body, leaseToken: options.leaseToken });
        failNext('complete');
        return { id: jobId, status: body.status };
      },
      async release(jobId: string, body: ReleaseInput) {
        calls.push({ kind: 'release', body });
        failNext('release');
        return { id: jobId, status: 'queued' as const };
      },
    },
  };
}

function setup(engine: Engine, client: ReturnType<typeof fakeClient>['client']) {
  const { logger, lines } = recordingLogger();
  const clock = new ManualClock(START);
  const handle = new JobHandle(
    claimedChatJob({ fencing_token: 7, lease_token: LEASE_TOKEN }),
    START,
  );
  const outcome = runChatJob(handle, {
    client,
    engine,
    clock,
    logger,
    node: { nodeId: 'node-1', name: 'edge-01' },
  });
  return { handle, outcome, lines, clock };
}

const LEASE_TOKEN = 'lease-token-of-the-claim';
const kinds = (calls: Call[]) => calls.map((call) => call.kind);

describe('runChatJob', () => {
  it('posts meta, then the tokens, then completes, all with the fencing token', async () => {
    const { client, calls } = fakeClient();
    const engine = createStubEngine({ tokens: ['Hel', 'lo'] });
    const { outcome, lines } = setup(engine, client);
    await expect(outcome).resolves.toBe('completed');

    const posts = calls.flatMap((call) => (call.kind === 'events' ? [call.body] : []));
    expect(posts.map((body) => body.batch)).toEqual(posts.map((_body, index) => index + 1));
    expect(posts.every((body) => body.fencing_token === 7)).toBe(true);
    const events = posts.flatMap((body) => body.events);
    expect(events[0]).toEqual({
      event_type: 'meta',
      data: {
        provider_node_id: 'node-1',
        provider_name: 'edge-01',
        model: 'demo',
        engine: 'stub',
        engine_label: 'demo engine',
        started_at: '2026-03-01T12:00:00.000Z',
      },
    });
    const streamed = events
      .filter((event) => event.event_type === 'token')
      .map((event) => event.data.text)
      .join('');
    expect(streamed).toBe('Hello');
    // Completed with the claim's lease token, not a signature.
    expect(calls.at(-1)).toEqual({
      kind: 'complete',
      leaseToken: LEASE_TOKEN,
      body: {
        status: 'completed',
        fencing_token: 7,
        result: {
          text: 'Hello',
          reason: 'stop',
          usage: { prompt_tokens: 3, completion_tokens: 2 },
        },
      },
    });
    // Logs carry ids, never the prompt.
    expect(JSON.stringify(lines)).not.toContain('secret prompt');
  });

  it('counts a stored event batch as a lease renewal, from when it was sent', async () => {
    const { client } = fakeClient();
    const { engine, finish, started } = gatedEngine();
    const { handle, outcome, clock } = setup(engine, client);
    await started;
    await settle();
    expect(handle.renewedAt).toBe(START);
    await clock.advance(4_000);
    finish();
    await expect(outcome).resolves.toBe('completed');
    // The last batch ('answer') was sent, and stored, 4 s after the claim.
    expect(handle.renewedAt).toBe(START + 4_000);
  });

  it('passes the job’s sampling settings to the engine', async () => {
    const { client } = fakeClient();
    const requests: ChatStreamRequest[] = [];
    const stub = createStubEngine({ tokens: ['ok'] });
    const recording: Engine = {
      ...stub,
      chat: (request, options) => {
        requests.push(request);
        return stub.chat(request, options);
      },
    };
    const handle = new JobHandle(
      claimedChatJob({
        input_spec: {
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 16,
          temperature: 0.2,
          top_p: 0.5,
          stop: ['END'],
          seed: 42,
        },
      }),
      START,
    );
    const { logger } = recordingLogger();
    await runChatJob(handle, {
      client,
      engine: recording,
      clock: new ManualClock(START),
      logger,
      node: { nodeId: 'node-1', name: 'edge-01' },
    });
    expect(requests[0]).toMatchObject({ maxTokens: 16, topP: 0.5, stop: ['END'], seed: 42 });
  });

  it('reports an engine failure as a failed job without leaking the engine URL', async () => {
    const { client, calls } = fakeClient();
    const broken: Engine = {
      ...createStubEngine(),
      kind: 'ollama',
      label: 'ollama',
      // eslint-disable-next-line require-yield
      async *chat() {
        throw new InfernetError(
          'ENGINE_ERROR',
          'ollama at http://10.0.0.7:11434 failed: cannot connect (ECONNREFUSED)',
        );
      },
    };
    await expect(setup(broken, client).outcome).resolves.toBe('failed');
    expect(calls.at(-1)).toEqual({
      kind: 'complete',
      leaseToken: LEASE_TOKEN,
      body: {
        status: 'failed',
        fencing_token: 7,
        error: 'ollama at <ollama> failed: cannot connect (ECONNREFUSED)',
      },
    });
  });

  it.each(['LEASE_LOST', 'JOB_CANCELLED', 'JOB_STATE_CONFLICT'])(
    'aborts the engine and never completes on %s from events, logging it once at info',
    async (code) => {
      const { engine, aborted } = gatedEngine();
      const { client, calls } = fakeClient({ events: [undefined, conflict(code)] });
      const { outcome, lines } = setup(engine, client);
      await expect(outcome).resolves.toBe('withdrawn');
      await aborted;
      expect(kinds(calls)).toEqual(['events', 'events']);
      expect(lines.filter((line) => line.level !== 'info')).toEqual([]);
      const stopped = lines.filter((line) => line.message.startsWith('job stopped'));
      expect(stopped).toEqual([
        {
          level: 'info',
          fields: { jobId: 'job-1', model: 'demo', reason: code },
          message: JOB_WITHDRAWN_MESSAGE,
        },
      ]);
      expect(JSON.stringify(lines)).not.toContain('secret prompt');
    },
  );

  it('signs the completion when a control plane refuses the unsigned one', async () => {
    const authMissing = ApiError.generate({
      status: 401,
      code: 'AUTH_MISSING',
      message: 'This route needs an X-Infernet-Auth signed envelope.',
      requestId: null,
      headers: new Headers(),
    });
    const { client, calls } = fakeClient({ complete: [authMissing] });
    const { outcome } = setup(createStubEngine({ tokens: ['a'] }), client);
    await expect(outcome).resolves.toBe('completed');
    const completions = calls.filter((call) => call.kind === 'complete');
    expect(completions.map((call) => call.leaseToken)).toEqual([LEASE_TOKEN, undefined]);
  });

  it('drops the job when complete is refused with JOB_CANCELLED, without retrying', async () => {
    const { client, calls } = fakeClient({ complete: [conflict('JOB_CANCELLED')] });
    const { outcome, lines } = setup(createStubEngine({ tokens: ['a'] }), client);
    await expect(outcome).resolves.toBe('withdrawn');
    expect(kinds(calls).filter((kind) => kind === 'complete')).toHaveLength(1);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(lines.at(-1)?.fields.reason).toBe('JOB_CANCELLED');
  });

  it('stops at once when withdrawn mid-answer (a poll listed it in cancel)', async () => {
    const { engine, started, aborted } = gatedEngine();
    const { client, calls } = fakeClient();
    const { handle, outcome, lines } = setup(engine, client);
    await started;
    handle.withdraw('POLL_CANCEL');
    await expect(outcome).resolves.toBe('withdrawn');
    await expect(aborted).resolves.toEqual({ kind: 'withdrawn', reason: 'POLL_CANCEL' });
    expect(kinds(calls)).not.toContain('complete');
    expect(kinds(calls)).not.toContain('release');
    expect(lines.at(-1)).toMatchObject({ level: 'info', fields: { reason: 'POLL_CANCEL' } });
  });

  it('frees the slot even when the engine ignores the abort', async () => {
    const { engine, started, aborted } = gatedEngine({ ignoreAbort: true });
    const { client, calls } = fakeClient();
    const { handle, outcome } = setup(engine, client);
    await started;
    handle.withdraw('POLL_CANCEL');
    await aborted;
    await expect(outcome).resolves.toBe('withdrawn');
    expect(kinds(calls)).not.toContain('complete');
  });

  it('hands the job back with its fencing token when the drain runs out', async () => {
    const { engine, started, aborted } = gatedEngine();
    const { client, calls } = fakeClient();
    const { handle, outcome, lines } = setup(engine, client);
    await started;
    handle.handBack();
    await expect(outcome).resolves.toBe('released');
    await aborted;
    expect(calls.at(-1)).toEqual({
      kind: 'release',
      body: { fencing_token: 7, reason: RELEASE_REASON },
    });
    expect(kinds(calls)).not.toContain('complete');
    expect(lines.at(-1)).toMatchObject({
      level: 'info',
      fields: { jobId: 'job-1', status: 'queued' },
      message: 'job handed back to the control plane',
    });
  });

  it('does not send tokens still queued when handing a job back', async () => {
    const { engine, started } = gatedEngine({ tokensBeforeGate: ['sent ', 'queued '] });
    const { client, calls } = fakeClient();
    const { handle, outcome } = setup(engine, client);
    await started;
    await settle();
    handle.handBack();
    await outcome;
    const texts = calls.flatMap((call) =>
      call.kind === 'events' ? call.body.events.map((event) => event.data.text) : [],
    );
    expect(texts).toEqual([undefined, 'sent ']);
    expect(kinds(calls).at(-1)).toBe('release');
  });

  it('logs a refused release at info and still ends', async () => {
    const { engine, started } = gatedEngine();
    const { client } = fakeClient({ release: [conflict('LEASE_LOST')] });
    const { handle, outcome, lines } = setup(engine, client);
    await started;
    handle.handBack();
    await expect(outcome).resolves.toBe('released');
    expect(lines.at(-1)).toMatchObject({ level: 'info', fields: { reason: 'LEASE_LOST' } });
  });

  it('flushes and completes an answer that was finished before a late hand-back', async () => {
    const { engine, started, finish } = gatedEngine();
    const { client, calls, holdEvents } = fakeClient();
    const { handle, outcome } = setup(engine, client);
    await started;
    await settle();
    const releaseEvents = holdEvents();
    finish();
    await settle();
    // The final flush is in flight when the drain runs out.
    expect(kinds(calls)).toEqual(['events', 'events', 'events']);
    handle.handBack();
    await settle();
    releaseEvents();
    await expect(outcome).resolves.toBe('completed');
    expect(kinds(calls)).not.toContain('release');
    const texts = calls.flatMap((call) =>
      call.kind === 'events' ? call.body.events.map((event) => event.data.text) : [],
    );
    expect(texts).toEqual([undefined, 'partial ', 'answer']);
    expect(calls.at(-1)).toMatchObject({ kind: 'complete', body: { status: 'completed' } });
  });
  it('drops, rather than hands back, a finished answer the server refuses after a hand-back', async () => {
    const { engine, started, finish } = gatedEngine();
    const { client, calls } = fakeClient({ complete: [conflict('LEASE_LOST')] });
    const { handle, outcome, lines } = setup(engine, client);
    await started;
    finish();
    await settle();
    handle.handBack();
    await expect(outcome).resolves.toBe('withdrawn');
    expect(kinds(calls)).not.toContain('release');
    expect(lines.at(-1)).toMatchObject({ level: 'info', fields: { reason: 'LEASE_LOST' } });
  });
});

describe('errorMessageForConsumer', () => {
  it('replaces every URL with the engine label and caps the length', () => {
    const engine = createStubEngine();
    const message = errorMessageForConsumer(
      new Error(`failed at https://user:pw@gpu.lan:8000/v1, retry ${'x'.repeat(2000)}`),
      engine,
    );
    expect(message.startsWith('failed at <demo engine>, retry')).toBe(true);
    expect(message.length).toBe(1024);
  });
});
