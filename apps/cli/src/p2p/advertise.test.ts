import { describe, expect, it } from 'vitest';
import { createEngine } from '@infernet/engines';
import {
  UserAbortError,
  type HeartbeatInput,
  type RegisterInput,
} from '@infernetprotocol/sdk/node';
import { resolveConfig, type CliConfig, type Identity } from '../config';
import { runDaemon } from '../daemon/daemon';
import { ManualClock } from '../daemon/manual-clock';
import { recordingLogger } from '../testing/recording-logger';

const PRIVATE_KEY = '7a638e08fbe541ec8f39ef9b71ad97c470b8f3df5dad53da704500d4e724885a';

/** Runs the daemon until it registered and beat once; returns what it published and told P2P. */
async function publishedBy(advertise: boolean | undefined) {
  const config = resolveConfig({
    environment: {
      HOME: '/nonexistent',
      INFERNET_PRIVATE_KEY: PRIVATE_KEY,
      INFERNET_ENGINE: 'stub',
    },
    file: advertise === undefined ? {} : { node: { advertise } },
  }) as CliConfig & { identity: Identity };
  const sent: { register?: RegisterInput; heartbeats: HeartbeatInput[] } = { heartbeats: [] };
  const served: string[][] = [];
  const stop = new AbortController();
  const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
  let registered!: () => void;
  const registeredOnce = new Promise<void>((resolve) => (registered = resolve));
  const client = {
    async register(body: RegisterInput) {
      sent.register = body;
      registered();
      return { id: 'p1', node_id: body.node_id };
    },
    async heartbeat(body: HeartbeatInput = {}) {
      sent.heartbeats.push(body);
      if (body.status !== 'offline') stop.abort();
      return { id: 'p1' };
    },
    async poll({ signal }: { signal?: AbortSignal }): Promise<never> {
      return new Promise<never>((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new UserAbortError()));
      });
    },
    postEvents: async () => ({ inserted: 0 }),
    complete: async () => ({ ok: true }),
    release: async () => ({ ok: true }),
  };
  const done = runDaemon(
    {
      config,
      client: client as never,
      engine: createEngine({ kind: 'stub' }),
      detectGpus: async () => ({ gpus: [], source: 'none' as const, diagnostics: [] }),
      clock,
      logger: recordingLogger().logger,
      p2p: { port: 46337, setServedModels: (models) => void served.push([...models]) },
    },
    stop.signal,
  );
  await registeredOnce;
  // Time moves only here: each step lets the daemon arm its heartbeat timer and fires it.
  for (let step = 0; step < 10 && sent.heartbeats.length === 0; step += 1) {
    await clock.advance(30_000);
  }
  await done;
  return { ...sent, served };
}

describe('what a node publishes about its P2P port', () => {
  it('sends null address and port by default, clearing what an earlier run published', async () => {
    const sent = await publishedBy(undefined);
    expect(sent.register).toMatchObject({ address: null, port: null });
    expect(sent.heartbeats[0]).toMatchObject({ address: null, port: null });
    expect(sent.served.at(-1)).toEqual(expect.any(Array));
  });

  it('publishes the port, never an address, with advertise on', async () => {
    const sent = await publishedBy(true);
    expect(sent.register).toMatchObject({ address: null, port: 46337 });
    expect(sent.heartbeats[0]).toMatchObject({ address: null, port: 46337 });
  });
});
