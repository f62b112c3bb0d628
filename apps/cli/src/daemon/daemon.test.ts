import { describe, expect, it } from 'vitest';
import { createStubEngine, type ChatChunk, type Engine } from '@infernet/engines';
import type { CompleteRequest, NodeJob } from '@infernet/protocol';
import { UserAbortError, type HeartbeatInput } from '@infernet/sdk';
import { resolveConfig, type CliConfig, type Identity } from '../config';
import type { Logger } from '../output';
import { systemClock } from './clock';
import { runDaemon } from './daemon';

const PRIVATE_KEY = '7a638e08fbe541ec8f39ef9b71ad97c470b8f3df5dad53da704500d4e724885a';
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const JOB: NodeJob = {
  id: 'job-1',
  title: 'chat · demo',
  type: 'chat',
  status: 'assigned',
  payment_offer: 0,
  payment_coin: null,
  model_name: 'demo',
  input_spec: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0.5 },
  created_at: '2026-03-01T12:00:00Z',
};

function config(drainTimeoutSeconds: number): CliConfig & { identity: Identity } {
  return resolveConfig({
    environment: {
      HOME: '/nonexistent',
      INFERNET_PRIVATE_KEY: PRIVATE_KEY,
      INFERNET_ENGINE: 'stub',
    },
    file: { daemon: { drainTimeoutSeconds } },
  }) as CliConfig & { identity: Identity };
}

/** An engine that streams one token, then waits until the test (or an abort) lets it finish. */
function gatedEngine() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const engine: Engine = {
    ...createStubEngine(),
    async *chat(_request, options): AsyncGenerator<ChatChunk> {
      yield { done: false, text: 'partial ' };
      started();
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        options?.signal?.addEventListener('abort', () => reject(options.signal?.reason));
      });
      yield { done: false, text: 'answer' };
      yield { done: true, reason: 'stop', usage: null };
    },
  };
  return { engine, open, running };
}

/** A node API double: one job on the first poll, then long polls that end only on abort. */
function fakeClient() {
  const completions: CompleteRequest[] = [];
  const heartbeats: HeartbeatInput[] = [];
  let polls = 0;
  const client = {
    async register() {
      return { id: 'p1', node_id: 'node-x' };
    },
    async heartbeat(body: HeartbeatInput = {}) {
      heartbeats.push(body);
      return { id: 'p1' };
    },
    async poll({ signal }: { limit: number; wait: number; signal?: AbortSignal }) {
      polls += 1;
      if (polls === 1) return { provider_id: 'p1', jobs: [JOB] };
      return new Promise<never>((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new UserAbortError()));
      });
    },
    async postEvents() {
      return { inserted: 1 };
    },
    async complete(jobId: string, body: CompleteRequest) {
      completions.push(body);
      return { id: jobId, status: body.status };
    },
  };
  return { client, completions, heartbeats };
}

const noGpus = async () => ({ gpus: [], source: 'none' as const, diagnostics: [] });

describe('runDaemon shutdown', () => {
  it('stops polling at once but lets the running job finish', async () => {
    const { engine, open, running } = gatedEngine();
    const { client, completions, heartbeats } = fakeClient();
    const stop = new AbortController();
    const daemon = runDaemon(
      {
        config: config(60),
        client,
        engine,
        detectGpus: noGpus,
        clock: systemClock,
        logger: silent,
      },
      stop.signal,
    );
    await running;
    stop.abort();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(completions).toEqual([]);
    open();
    await daemon;
    expect(completions).toEqual([
      { status: 'completed', result: { text: 'partial answer', reason: 'stop' } },
    ]);
    expect(heartbeats.at(-1)).toEqual({ status: 'offline' });
  });

  it('stops a job that outlasts the drain timeout and reports it failed', async () => {
    const { engine, running } = gatedEngine();
    const { client, completions } = fakeClient();
    const stop = new AbortController();
    const daemon = runDaemon(
      {
        config: config(0.05),
        client,
        engine,
        detectGpus: noGpus,
        clock: systemClock,
        logger: silent,
      },
      stop.signal,
    );
    await running;
    stop.abort();
    await daemon;
    expect(completions).toEqual([
      { status: 'failed', error: 'The provider node shut down before the answer was finished.' },
    ]);
  });
});
