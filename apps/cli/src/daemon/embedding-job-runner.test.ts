import { describe, expect, it } from 'vitest';
import { createStubEngine, demoEmbedding, type Engine } from '@infernet/engines';
import { InfernetError, type EmbeddingNodeJob } from '@infernet/protocol';
import {
  ApiError,
  type CompleteInput,
  type PostEventsInput,
  type ReleaseInput,
} from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import { claimedChatJob } from '../testing/chat-job';
import { runEmbeddingJob } from './embedding-job-runner';
import { JobHandle } from './job-handle';
import { ManualClock } from './manual-clock';

const START = Date.parse('2026-03-01T12:00:00Z');
const texts = ['a secret text', 'another'];

function embeddingJob(): EmbeddingNodeJob {
  const { input_spec: _chatInput, ...fields } = claimedChatJob({ fencing_token: 7 });
  return {
    ...fields,
    title: 'embedding · demo',
    type: 'embedding',
    input_spec: { input: texts },
    lease_token: 'lease-token',
  };
}

type Call =
  | { kind: 'events'; body: PostEventsInput; leaseToken: string | undefined }
  | { kind: 'complete'; body: CompleteInput }
  | { kind: 'release'; body: ReleaseInput };

/** Records every call; `complete` fails with `completeError` when given. */
function fakeClient(completeError?: unknown) {
  const calls: Call[] = [];
  const client = {
    async postEvents(_jobId: string, body: PostEventsInput, options: { leaseToken?: string }) {
      calls.push({ kind: 'events', body, leaseToken: options.leaseToken });
      return { inserted: body.events.length };
    },
    async complete(jobId: string, body: CompleteInput) {
      calls.push({ kind: 'complete', body });
      if (completeError !== undefined) throw completeError;
      return { id: jobId, status: body.status };
    },
    async release(jobId: string, body: ReleaseInput) {
      calls.push({ kind: 'release', body });
      return { id: jobId, status: 'queued' as const };
    },
  };
  return { client, calls };
}

function run(engine: Engine, client: ReturnType<typeof fakeClient>['client']) {
  const lines: { fields: object; message: string }[] = [];
  const log = (fields: object, message: string) => void lines.push({ fields, message });
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  const handle = new JobHandle(embeddingJob(), START);
  const outcome = runEmbeddingJob(handle, {
    client,
    engine,
    clock: new ManualClock(START),
    logger,
    node: { nodeId: 'node-1', name: 'edge-01' },
  });
  return { handle, outcome, lines };
}

const base64 = (vector: number[]) => {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
};

describe('runEmbeddingJob', () => {
  it('posts meta, then completes with base64 float32 vectors and the engine’s token count', async () => {
    const { client, calls } = fakeClient();
    const { outcome, lines } = run(createStubEngine(), client);
    await expect(outcome).resolves.toBe('completed');
    expect(calls).toEqual([
      {
        kind: 'events',
        leaseToken: 'lease-token',
        body: {
          batch: 1,
          fencing_token: 7,
          events: [
            {
              event_type: 'meta',
              data: {
                provider_node_id: 'node-1',
                provider_name: 'edge-01',
                model: 'demo',
                engine: 'stub',
                engine_label: 'demo engine',
                started_at: '2026-03-01T12:00:00.000Z',
              },
            },
          ],
        },
      },
      {
        kind: 'complete',
        body: {
          status: 'completed',
          fencing_token: 7,
          result: {
            embeddings: texts.map((text) => base64(demoEmbedding(text))),
            usage: { prompt_tokens: 4, completion_tokens: 0 },
          },
        },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('reports an engine failure as a failed job without leaking the engine URL', async () => {
    const { client, calls } = fakeClient();
    const broken: Engine = {
      ...createStubEngine(),
      label: 'ollama',
      embed: async () => {
        throw new InfernetError('ENGINE_ERROR', 'ollama at http://10.0.0.7:11434 failed: 404');
      },
    };
    await expect(run(broken, client).outcome).resolves.toBe('failed');
    expect(calls.at(-1)).toEqual({
      kind: 'complete',
      body: { status: 'failed', fencing_token: 7, error: 'ollama at <ollama> failed: 404' },
    });
  });

  it('drops a job whose lease was lost at completion, without retrying or releasing', async () => {
    const lost = ApiError.generate({
      status: 409,
      code: 'LEASE_LOST',
      message: 'refused',
      requestId: null,
      headers: new Headers(),
    });
    const { client, calls } = fakeClient(lost);
    await expect(run(createStubEngine(), client).outcome).resolves.toBe('withdrawn');
    expect(calls.map((call) => call.kind)).toEqual(['events', 'complete']);
  });

  it('hands a job back while the engine still works, and aborts the engine', async () => {
    const { client, calls } = fakeClient();
    let started!: () => void;
    const embedding = new Promise<void>((resolve) => (started = resolve));
    let engineSignal: AbortSignal | undefined;
    const slow: Engine = {
      ...createStubEngine(),
      embed: (_request, options) => {
        engineSignal = options?.signal;
        started();
        return new Promise(() => undefined);
      },
    };
    const { handle, outcome } = run(slow, client);
    await embedding;
    handle.handBack();
    await expect(outcome).resolves.toBe('released');
    expect(engineSignal?.aborted).toBe(true);
    expect(calls.map((call) => call.kind)).toEqual(['events', 'release']);
  });
});
