/**
 * B6: token relay. 200 jobs stream at once, held by 8 simulated provider
 * nodes, and 200 SSE readers follow `/api/chat/stream/:id` on a real
 * control-plane process. Each node sends its jobs' token batches through
 * the daemon's own EventUplink (`POST /api/v1/node/events`, several jobs
 * per post); a second run posts each batch on its own
 * (`/api/v1/node/jobs/:id/events`), as daemons before the uplink did.
 * Measured: tokens delivered to readers per second, and the delay from a
 * batch's send to its arrival at the reader. Two loads:
 *
 *   daemon cadence  10 tokens per batch every 50 ms per stream, as the
 *                   node daemon sends them (offers 40,000 tokens/s)
 *   flat out        16-token batches, each stream posting again as soon as
 *                   the last POST was answered (finds the ceiling)
 *
 * The same loads also run against a bare pass-through relay (no auth, no
 * storage; bench/support/pass-through-relay.ts) as the baseline.
 *
 *   npm run bench:relay
 *   BENCH_SECONDS=10 BENCH_STREAMS=200 npm run bench:relay
 *
 * Token batches carry the claim's lease token (X-Infernet-Lease), as the
 * node daemon sends them; a target that signs instead pre-signs its
 * requests before each load starts (signing is the node's cost, not the
 * relay's). The load generator shares the 2-core machine with the server
 * and PostgreSQL, so it prints the CPU each party used, so a saturated
 * generator is visible rather than hidden.
 */
import { join } from 'node:path';
import { generateKeyPair } from '@infernet/auth';
import { LEASE_HEADER_NAME } from '@infernet/protocol';
import { InfernetClient, NodeClient } from '@infernetprotocol/sdk/node';
import { EventUplink } from '../apps/cli/src/daemon/event-uplink';
import { createNodeHttpFetch } from '../apps/cli/src/node-http-fetch';
import { REPOSITORY_ROOT, startServerProcess } from '../tests/e2e/src/processes';
import { startScript } from './support/child-process';
import { Cleanup } from './support/cleanup';
import { openSse, postJson, type SseConnection } from './support/http-client';
import {
  CpuMeter,
  cpuSecondsOf,
  ownCpuSeconds,
  postgresCpuSecondsOf,
  processTree,
} from './support/process-cpu';
import { formatCount, printGoal, printHeading, printLatency, printRatio } from './support/report';
import { createScratchDatabase } from './support/scratch-database';
import { summarizeLatency, type LatencySummary } from './support/statistics';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const WINDOW_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 1;
/** Pre-signed batches per stream for the flat-out load; a stream that runs out stops early (reported). */
const FLAT_OUT_BATCHES = Number(process.env.BENCH_FLAT_OUT_BATCHES ?? 60);
/** Room for the unsigned baseline's batches; far more than any stream sends in a window. */
const UNSIGNED_BATCH_LIMIT = 100_000;
const PROVIDER_KEYS = 8;
const MODEL = 'bench-relay-model';
const GOAL = { tokensPerSecond: 50_000, p99Milliseconds: 50 };
/** performance.md §4, measured on the reference machine; printed for context only. */
const RESEARCH_PASS_THROUGH_TOKENS_PER_SECOND = 111_000;

interface Load {
  name: string;
  tokensPerBatch: number;
  /** Minimum spacing between one stream's POSTs; 0 = post again once answered. */
  intervalMs: number;
  batchesPerStream: number;
}

const LOADS: Load[] = [
  {
    name: 'daemon cadence',
    tokensPerBatch: Number(process.env.BENCH_TOKENS_PER_BATCH ?? 10),
    intervalMs: Number(process.env.BENCH_BATCH_INTERVAL_MS ?? 50),
    batchesPerStream: 0, // from the window, below
  },
  { name: 'flat out', tokensPerBatch: 16, intervalMs: 0, batchesPerStream: FLAT_OUT_BATCHES },
];
for (const load of LOADS) {
  if (load.intervalMs > 0) {
    load.batchesPerStream =
      Math.ceil(((WARMUP_SECONDS + WINDOW_SECONDS) * 1000) / load.intervalMs) + 2;
  }
}

/** One relayed stream as the load generator sees it. */
interface Stream {
  postPath: string;
  ssePath: string;
  sseHeaders: Record<string, string>;
  /** Signs a POST body, or returns no header for the unauthenticated baseline. */
  authorize(body: string): Record<string, string>;
  /**
   * Sends a batch as the node daemon does, through its node's EventUplink
   * (one post for the batches of all its jobs), instead of POSTing
   * `postPath`; resolves a failure message, or undefined once stored.
   */
  send?: (events: BatchEvent[]) => Promise<string | undefined>;
}

interface Target {
  name: string;
  baseUrl: URL;
  streams: Stream[];
  /** Whether requests are signed (and so pre-signed before each load). */
  signs: boolean;
  cpu: Record<string, () => number>;
  /** Stops what this target started, so the next target has the machine to itself. */
  close(): Promise<void>;
}

interface LoadResult {
  offeredTokensPerSecond: number;
  deliveredTokensPerSecond: number;
  batchDelay: LatencySummary;
  postRoundTrip: LatencySummary;
  lostBatches: number;
  failedPosts: number;
  exhaustedStreams: number;
  cores: Record<string, number>;
}

const pause = (milliseconds: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, milliseconds)));

interface BatchEvent {
  event_type: 'token';
  data: { text: string };
}

/** Token text carries the load, batch and position, so the reader can match it to its POST. */
function batchEvents(loadIndex: number, batch: number, tokens: number): BatchEvent[] {
  return Array.from({ length: tokens }, (_, position) => ({
    event_type: 'token',
    data: { text: `${loadIndex}:${batch}:${position} ` },
  }));
}

function batchBody(loadIndex: number, batch: number, tokens: number): string {
  return JSON.stringify({ events: batchEvents(loadIndex, batch, tokens) });
}

async function runLoad(target: Target, loadIndex: number, load: Load): Promise<LoadResult> {
  // Pre-sign everything this load may send, before the clock starts. Unsigned
  // targets build bodies as they go, so they never run out.
  const batchesPerStream = target.signs ? load.batchesPerStream : UNSIGNED_BATCH_LIMIT;
  const prepared = target.streams.map((stream) =>
    Array.from({ length: target.signs ? batchesPerStream : 0 }, (_, batch) => {
      const body = batchBody(loadIndex, batch, load.tokensPerBatch);
      return { body, headers: stream.authorize(body) };
    }),
  );
  const request = (streamIndex: number, batch: number) => {
    const ready = prepared[streamIndex]![batch];
    if (ready) return ready;
    const body = batchBody(loadIndex, batch, load.tokensPerBatch);
    return { body, headers: target.streams[streamIndex]!.authorize(body) };
  };
  // Per stream, indexed by batch; a hole means not posted (or failed) / not arrived.
  const postedAt: number[][] = target.streams.map(() => []);
  const arrivedAt: number[][] = target.streams.map(() => []);
  const tokenArrivals: number[] = [];
  const postRoundTrips: number[] = [];
  let failedPosts = 0;
  let exhaustedStreams = 0;

  currentListener = (streamIndex, text, at) => {
    const [loadPart, batchPart, positionPart] = text.split(':');
    if (Number(loadPart) !== loadIndex) return;
    tokenArrivals.push(at);
    if (positionPart?.startsWith('0 ')) arrivedAt[streamIndex]![Number(batchPart)] = at;
  };

  const cpu = new CpuMeter(target.cpu);
  const startedAt = performance.now();
  const windowStart = startedAt + WARMUP_SECONDS * 1000;
  const windowEnd = windowStart + WINDOW_SECONDS * 1000;
  const cpuTimer = setTimeout(() => cpu.start(), windowStart - performance.now());
  let cores: Record<string, number> = {};
  const cpuStopTimer = setTimeout(() => (cores = cpu.stop()), windowEnd - performance.now());

  await Promise.all(
    target.streams.map(async (stream, streamIndex) => {
      // Spread the streams over one interval so they do not all post at the same instant.
      let next = startedAt + Math.random() * Math.max(load.intervalMs, 1);
      for (let batch = 0; ; batch += 1) {
        if (batch >= batchesPerStream) {
          exhaustedStreams += 1;
          return;
        }
        await pause(next - performance.now());
        const now = performance.now();
        if (now >= windowEnd) return;
        postedAt[streamIndex]![batch] = now;
        let failure: string | undefined;
        if (stream.send) {
          failure = await stream.send(batchEvents(loadIndex, batch, load.tokensPerBatch));
        } else {
          const { body, headers } = request(streamIndex, batch);
          try {
            const result = await postJson(target.baseUrl, stream.postPath, body, headers);
            if (result.status !== 200) failure = `POST answered ${result.status}: ${result.body}`;
          } catch (error) {
            failure = `POST failed: ${(error as Error).message}`;
          }
        }
        const answered = performance.now();
        postRoundTrips.push(answered - now);
        if (failure !== undefined) {
          // A failed batch is never delivered; it is counted, not retried.
          delete postedAt[streamIndex]![batch];
          failedPosts += 1;
          if (failedPosts === 1) console.error(`${target.name}: ${failure}`);
        }
        next = Math.max(now + load.intervalMs, answered);
      }
    }),
  );
  clearTimeout(cpuTimer);
  clearTimeout(cpuStopTimer);
  if (Object.keys(cores).length === 0) cores = cpu.stop();
  // Let batches still in flight reach their readers.
  const drainDeadline = performance.now() + 5_000;
  const pending = () =>
    postedAt.some((times, stream) =>
      times.some((_, batch) => arrivedAt[stream]![batch] === undefined),
    );
  while (pending() && performance.now() < drainDeadline) await pause(50);
  currentListener = () => {};

  let offeredTokens = 0;
  let lostBatches = 0;
  const delays: number[] = [];
  postedAt.forEach((times, stream) =>
    times.forEach((time, batch) => {
      if (time < windowStart || time >= windowEnd) return;
      offeredTokens += load.tokensPerBatch;
      const arrival = arrivedAt[stream]![batch];
      if (arrival === undefined) lostBatches += 1;
      else delays.push(arrival - time);
    }),
  );
  const delivered = tokenArrivals.filter((time) => time >= windowStart && time < windowEnd).length;
  return {
    offeredTokensPerSecond: offeredTokens / WINDOW_SECONDS,
    deliveredTokensPerSecond: delivered / WINDOW_SECONDS,
    batchDelay: summarizeLatency(delays),
    postRoundTrip: summarizeLatency(postRoundTrips),
    lostBatches,
    failedPosts,
    exhaustedStreams,
    cores,
  };
}

let currentListener: (stream: number, text: string, arrivedAt: number) => void = () => {};

async function openReaders(target: Target, cleanup: Cleanup): Promise<SseConnection[]> {
  const connections: SseConnection[] = target.streams.map((stream, streamIndex) =>
    openSse(target.baseUrl, stream.ssePath, stream.sseHeaders, (event, arrivedAt) => {
      if (event.event !== 'token') return;
      currentListener(streamIndex, (JSON.parse(event.data) as { text: string }).text, arrivedAt);
    }),
  );
  cleanup.add(`${target.name} readers`, connections, (all) =>
    all.forEach((connection) => connection.close()),
  );
  await Promise.all(connections.map((connection) => connection.opened));
  return connections;
}

/**
 * The control plane, fed as the current daemon feeds it (`uplink`: each
 * provider key's streams share posts through the daemon's EventUplink), or
 * as daemons before it did, one POST per job batch.
 */
async function infernetTarget(cleanup: Cleanup, uplink: boolean): Promise<Target> {
  const scratch = cleanup.add('scratch database', await createScratchDatabase(), (database) =>
    database.drop(),
  );
  const server = cleanup.add(
    'control plane',
    await startServerProcess({
      DATABASE_URL: scratch.url,
      // All the streams are queued before the providers claim them.
      INFERNET_QUEUE_MAX_PER_MODEL: String(STREAMS * 2),
      // e.g. BENCH_SERVER_NODE_OPTIONS='--require /path/to/profiler-hook.cjs' to profile the server.
      ...(process.env.BENCH_SERVER_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS }
        : {}),
    }),
    (process) => process.stop(),
  );
  const keys = Array.from({ length: PROVIDER_KEYS }, () => generateKeyPair());
  const nodes = keys.map(
    (key) =>
      new NodeClient({
        baseUrl: server.url,
        privateKey: key.privateKey,
        fetch: createNodeHttpFetch(),
      }),
  );
  const uplinks = nodes.map((client) => new EventUplink({ client }));
  await Promise.all(
    nodes.map((node, index) =>
      node.register({
        role: 'provider',
        node_id: `bench-relay-${index}`,
        specs: { gpus: [], gpu_count: 0, served_models: [MODEL] },
      }),
    ),
  );
  const consumer = new InfernetClient({ baseUrl: server.url });
  const jobs = [];
  for (let index = 0; index < STREAMS; index += 20) {
    const count = Math.min(20, STREAMS - index);
    jobs.push(
      ...(await Promise.all(
        Array.from({ length: count }, () =>
          consumer.chat({ model: MODEL, messages: [{ role: 'user', content: 'stream' }] }),
        ),
      )),
    );
  }
  // Share the jobs out among the provider keys; each poll claims up to 25.
  // The lease token of each claim authenticates its token batches, as in the daemon.
  const claims = new Map<string, { leaseToken: string; fencingToken: number; node: number }>();
  for (let round = 0; claims.size < STREAMS && round < 100; round += 1) {
    const node = round % nodes.length;
    const { jobs: claimed } = await nodes[node]!.poll({ limit: 25, wait: 0 });
    for (const job of claimed) {
      if (job.lease_token === undefined) throw new Error('the server handed out no lease token');
      claims.set(job.id, { leaseToken: job.lease_token, fencingToken: job.fencing_token, node });
    }
  }
  if (claims.size < STREAMS) {
    throw new Error(`only ${claims.size} of ${STREAMS} jobs were claimed`);
  }

  const serverPids = processTree(server.child.pid!);

  return {
    name: uplink ? 'infernet' : 'infernet, a POST per job batch',
    baseUrl: new URL(server.url),
    signs: false,
    streams: jobs.map((job) => {
      const { leaseToken, fencingToken, node } = claims.get(job.jobId)!;
      // Batch numbers keep rising across loads: the server stores each number once per claim.
      let batchNumber = 0;
      const send = async (events: BatchEvent[]) => {
        batchNumber += 1;
        try {
          await uplinks[node]!.send(
            job.jobId,
            { events, fencing_token: fencingToken, batch: batchNumber },
            { leaseToken },
          );
          return undefined;
        } catch (error) {
          return `uplink send failed: ${(error as Error).message}`;
        }
      };
      return {
        postPath: `/api/v1/node/jobs/${job.jobId}/events`,
        ssePath: `/api/chat/stream/${job.jobId}`,
        sseHeaders: { authorization: `Bearer ${job.streamToken}` },
        authorize: () => ({ [LEASE_HEADER_NAME]: leaseToken }),
        ...(uplink ? { send } : {}),
      };
    }),
    cpu: {
      'load generator': ownCpuSeconds,
      'control plane': () => cpuSecondsOf(serverPids),
      'PostgreSQL (this database)': postgresCpuSecondsOf(scratch.name),
    },
    async close() {
      await cleanup.release(server);
      await cleanup.release(scratch);
    },
  };
}

async function passThroughTarget(cleanup: Cleanup): Promise<Target> {
  const relay = cleanup.add(
    'pass-through relay',
    await startScript(
      join(REPOSITORY_ROOT, 'bench/support/pass-through-relay.ts'),
      /listening at (http:\/\/\S+)/,
    ),
    (process) => process.stop(),
  );
  const relayPids = processTree(relay.child.pid!);
  return {
    name: 'pass-through',
    baseUrl: new URL(relay.ready),
    signs: false,
    streams: Array.from({ length: STREAMS }, (_, index) => ({
      postPath: `/events/${index}`,
      ssePath: `/stream/${index}`,
      sseHeaders: {},
      authorize: () => ({}),
    })),
    cpu: { 'load generator': ownCpuSeconds, 'pass-through relay': () => cpuSecondsOf(relayPids) },
    close: () => cleanup.release(relay),
  };
}

function printResult(label: string, result: LoadResult): void {
  console.log(
    `${label.padEnd(34)} offered ${formatCount(result.offeredTokensPerSecond).padStart(7)} tokens/s  delivered ${formatCount(result.deliveredTokensPerSecond).padStart(7)} tokens/s${result.lostBatches ? `  LOST ${result.lostBatches} batches` : ''}${result.failedPosts ? `  FAILED ${result.failedPosts} POSTs` : ''}${result.exhaustedStreams ? `  (${result.exhaustedStreams} streams ran out of pre-signed batches)` : ''}`,
  );
  printLatency('  batch delay, POST → reader', result.batchDelay);
  printLatency('  POST round trip', result.postRoundTrip);
  console.log(
    `  CPU (cores of 2): ${Object.entries(result.cores)
      .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
      .join(', ')}`,
  );
}

const cleanup = new Cleanup();
try {
  console.log(
    `${STREAMS} streams, ${WINDOW_SECONDS} s measured per load after ${WARMUP_SECONDS} s warm-up; PostgreSQL scratch database`,
  );
  const results: Record<string, LoadResult[]> = {};
  const targets = [
    passThroughTarget,
    (cleanup: Cleanup) => infernetTarget(cleanup, false),
    (cleanup: Cleanup) => infernetTarget(cleanup, true),
  ];
  for (const makeTarget of targets) {
    const preparing = performance.now();
    const target = await makeTarget(cleanup);
    const readers = await openReaders(target, cleanup);
    if (target.name.startsWith('infernet')) {
      console.log(
        `infernet setup (server, ${STREAMS} jobs claimed, readers open) took ${((performance.now() - preparing) / 1000).toFixed(1)} s`,
      );
    }
    results[target.name] = [];
    for (const [index, load] of LOADS.entries()) {
      results[target.name]!.push(await runLoad(target, index, load));
    }
    await cleanup.release(readers);
    await target.close();
  }

  for (const [index, load] of LOADS.entries()) {
    printHeading(
      `${load.name}: ${load.tokensPerBatch} tokens per batch, ${load.intervalMs ? `every ${load.intervalMs} ms` : 'back to back'} per stream`,
    );
    printResult('pass-through relay (baseline)', results['pass-through']![index]!);
    printResult(
      'infernet, a POST per job batch',
      results['infernet, a POST per job batch']![index]!,
    );
    printResult('infernet, node uplink (daemon)', results.infernet![index]!);
  }

  const [cadence, flatOut] = results.infernet!;
  const [baselineCadence, baselineFlatOut] = results['pass-through']!;
  const bestDelivered = Math.max(
    cadence!.deliveredTokensPerSecond,
    flatOut!.deliveredTokensPerSecond,
  );
  // B6's goal is per core of the control plane; on this 2-core machine the server shares
  // the cores with PostgreSQL and the load generator, so its own CPU time is the divisor.
  const perServerCore = (result: LoadResult) =>
    result.deliveredTokensPerSecond / Math.max(result.cores['control plane'] ?? 0, 0.01);
  const bestPerCore = Math.max(perServerCore(cadence!), perServerCore(flatOut!));
  printHeading('goals');
  printGoal(
    `≥ ${formatCount(GOAL.tokensPerSecond)} tokens/s per control-plane core at ${STREAMS} streams (best of the two loads: ${formatCount(bestPerCore)}; delivered ${formatCount(bestDelivered)} tokens/s in all)`,
    bestPerCore >= GOAL.tokensPerSecond,
  );
  printGoal(
    `batch delay p99 ≤ ${GOAL.p99Milliseconds} ms at daemon cadence (${cadence!.batchDelay.p99.toFixed(1)} ms)`,
    cadence!.batchDelay.p99 <= GOAL.p99Milliseconds && cadence!.lostBatches === 0,
  );
  printRatio(
    'infernet / pass-through delivered tokens/s, flat out (B6 asks ≥ 0.5)',
    flatOut!.deliveredTokensPerSecond / baselineFlatOut!.deliveredTokensPerSecond,
  );
  printRatio(
    'infernet / pass-through delivered tokens/s, daemon cadence',
    cadence!.deliveredTokensPerSecond / baselineCadence!.deliveredTokensPerSecond,
  );
  console.log(
    `context: the research pass-through prototype carried about ${formatCount(RESEARCH_PASS_THROUGH_TOKENS_PER_SECOND)} tokens/s on the reference machine (performance.md §4).`,
  );
  for (const [name, loads] of Object.entries(results)) {
    loads.forEach((result, index) => {
      if ((result.cores['load generator'] ?? 0) > 0.8) {
        console.log(
          `note: the load generator used ${result.cores['load generator']!.toFixed(2)} cores during "${LOADS[index]!.name}" against ${name}; on this 2-core machine that figure is partly a client limit (a lower bound).`,
        );
      }
    });
  }
} finally {
  await cleanup.run();
}
