import { describe, expect, it } from 'vitest';
import { createStubEngine, type Engine } from '@infernet/engines';
import {
  InfernetError,
  type CompleteRequest,
  type NodeEvent,
  type NodeJob,
} from '@infernet/protocol';
import { ConflictError } from '@infernet/sdk';
import type { Logger } from '../output';
import { errorMessageForConsumer, runChatJob } from './job-runner';
import { ManualClock } from './manual-clock';

const JOB: NodeJob = {
  id: 'job-1',
  title: 'chat · demo',
  type: 'chat',
  status: 'assigned',
  payment_offer: 0,
  payment_coin: null,
  model_name: 'demo',
  input_spec: {
    messages: [{ role: 'user', content: 'a secret prompt' }],
    max_tokens: 16,
    temperature: 0.2,
  },
  created_at: '2026-03-01T12:00:00Z',
};

function recordingLogger() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const log = (level: string) => (fields: object, message: string) =>
    lines.push({ level, fields, message });
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  return { logger, lines };
}

function fakeClient(options: { failEvents?: unknown } = {}) {
  const calls: (
    { kind: 'events'; events: NodeEvent[] } | { kind: 'complete'; body: CompleteRequest }
  )[] = [];
  return {
    calls,
    client: {
      async postEvents(_jobId: string, events: NodeEvent[]) {
        calls.push({ kind: 'events', events });
        if (options.failEvents) throw options.failEvents;
        return { inserted: events.length };
      },
      async complete(jobId: string, body: CompleteRequest) {
        calls.push({ kind: 'complete', body });
        return { id: jobId, status: body.status };
      },
    },
  };
}

function run(engine: Engine, client: ReturnType<typeof fakeClient>['client'], logger: Logger) {
  return runChatJob(JOB, {
    client,
    engine,
    clock: new ManualClock(Date.parse('2026-03-01T12:00:00Z')),
    logger,
    node: { nodeId: 'node-1', name: 'edge-01' },
  });
}

describe('runChatJob', () => {
  it('posts meta first, then the tokens, then completes with text, reason and usage', async () => {
    const { client, calls } = fakeClient();
    const { logger, lines } = recordingLogger();
    const engine = createStubEngine({ tokens: ['Hel', 'lo'] });
    await expect(run(engine, client, logger)).resolves.toBe('completed');

    const events = calls.flatMap((call) => (call.kind === 'events' ? call.events : []));
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
    expect(calls.at(-1)).toEqual({
      kind: 'complete',
      body: {
        status: 'completed',
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

  it('reports an engine failure as a failed job without leaking the engine URL', async () => {
    const { client, calls } = fakeClient();
    const { logger } = recordingLogger();
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
    await expect(run(broken, client, logger)).resolves.toBe('failed');
    expect(calls.at(-1)).toEqual({
      kind: 'complete',
      body: { status: 'failed', error: 'ollama at <ollama> failed: cannot connect (ECONNREFUSED)' },
    });
  });

  it('drops the job without completing it when the lease is gone', async () => {
    const lost = new ConflictError({
      status: 409,
      code: 'JOB_STATE_CONFLICT',
      message: 'lease expired',
      requestId: null,
      headers: new Headers(),
    });
    const { client, calls } = fakeClient({ failEvents: lost });
    const { logger } = recordingLogger();
    await expect(run(createStubEngine(), client, logger)).resolves.toBe('abandoned');
    expect(calls.some((call) => call.kind === 'complete')).toBe(false);
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
