/**
 * Job pick-up latency: the time from a consumer's submit until a provider
 * node holds the job, for a node that long-polls (woken by a database
 * notification) and, for comparison, a node polling once a second.
 *
 *   npm run bench:pickup            # embedded PGlite
 *   DATABASE_URL=postgres://… npm run bench:pickup
 *
 * Server and node talk over real HTTP on loopback; the server is its own process.
 */
import { generateKeyPair } from '@infernet/auth';
import { InfernetClient, NodeClient } from '@infernetprotocol/sdk/node';
import { startServerProcess } from '../tests/e2e/src/processes';

const LONG_POLL_JOBS = Number(process.env.BENCH_JOBS ?? 300);
const INTERVAL_JOBS = Number(process.env.BENCH_INTERVAL_JOBS ?? 60);
const GOAL = { p50: 5, p99: 25 };

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function summarize(label: string, samples: number[]) {
  const sorted = [...samples].sort((left, right) => left - right);
  const p50 = percentile(sorted, 0.5);
  const p99 = percentile(sorted, 0.99);
  console.log(
    `${label.padEnd(22)} n=${String(samples.length).padStart(4)}  p50=${p50.toFixed(2).padStart(8)} ms  p99=${p99.toFixed(2).padStart(8)} ms  max=${sorted.at(-1)!.toFixed(2)} ms`,
  );
  return { p50, p99 };
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function registerNode(baseUrl: string, model: string) {
  const key = generateKeyPair();
  const node = new NodeClient({ baseUrl, privateKey: key.privateKey });
  await node.register({
    role: 'provider',
    node_id: `bench-${key.publicKey.slice(0, 12)}`,
    specs: { gpus: [], gpu_count: 0, served_models: [model] },
  });
  return node;
}

function submit(consumer: InfernetClient, model: string) {
  return consumer.chat({ model, messages: [{ role: 'user', content: 'ping' }], maxTokens: 1 });
}

async function measureLongPoll(baseUrl: string): Promise<number[]> {
  const node = await registerNode(baseUrl, 'bench-long-poll');
  const consumer = new InfernetClient({ baseUrl });
  const samples: number[] = [];
  for (let index = 0; index < LONG_POLL_JOBS; index += 1) {
    const held = node.poll({ limit: 1, wait: 25 }).then(() => performance.now());
    // Let the poll park on the server first: we measure wake-up, not request start.
    await pause(3);
    const submitted = performance.now();
    await Promise.all([submit(consumer, 'bench-long-poll'), held]).then(([, heldAt]) =>
      samples.push(heldAt - submitted),
    );
  }
  return samples;
}

async function measureIntervalPolling(baseUrl: string): Promise<number[]> {
  const node = await registerNode(baseUrl, 'bench-interval');
  const consumer = new InfernetClient({ baseUrl });
  const submittedAt = new Map<string, number>();
  const samples: number[] = [];
  let running = true;
  const poller = (async () => {
    while (running || samples.length < submittedAt.size) {
      const { jobs } = await node.poll({ limit: 25, wait: 0 });
      const now = performance.now();
      for (const job of jobs) samples.push(now - submittedAt.get(job.id)!);
      await pause(1000);
    }
  })();
  for (let index = 0; index < INTERVAL_JOBS; index += 1) {
    await pause(Math.random() * 500);
    const started = performance.now();
    const job = await submit(consumer, 'bench-interval');
    submittedAt.set(job.jobId, started);
  }
  running = false;
  await poller;
  return samples;
}

const server = await startServerProcess(
  process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {},
);
try {
  console.log(
    `control plane ${server.url} (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`,
  );
  const longPoll = summarize('long poll (wait=25 s)', await measureLongPoll(server.url));
  const interval = summarize('1 s interval polling', await measureIntervalPolling(server.url));
  console.log(
    `goal for the long poll: p50 ≤ ${GOAL.p50} ms, p99 ≤ ${GOAL.p99} ms → ${
      longPoll.p50 <= GOAL.p50 && longPoll.p99 <= GOAL.p99 ? 'met' : 'NOT met'
    }`,
  );
  console.log(`ratio (interval p50 / long-poll p50): ${(interval.p50 / longPoll.p50).toFixed(0)}×`);
} finally {
  await server.stop();
}
