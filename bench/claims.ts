/**
 * B3: claim + complete throughput on one PostgreSQL. Sixteen simulated
 * providers (concurrent async loops) drain a pre-filled queue through
 * `@infernet/db` (`jobs.claim` then `jobs.complete` for each job), once
 * claiming one job at a time and once in batches, next to graphile-worker
 * 0.17.3 draining the same number of no-op jobs at concurrency 16. A
 * provider completes the jobs of one claim side by side, as the daemon runs
 * them.
 *
 *   npm run bench:claims
 *   BENCH_JOBS=50000 BENCH_BATCH=10 BENCH_ROUNDS=3 npm run bench:claims
 *
 * Each run gets its own fresh scratch database (`infernet_bench_<random>`),
 * so dead rows from one run never slow the next; all are dropped at the end.
 * graphile-worker gets a pool of 10 connections; Infernet's claims and
 * completions use at most four (two statements of each in flight, see
 * job-claims.ts and job-completion.ts). Enqueueing is timed separately and
 * is not part of the drain figure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { Logger, makeWorkerUtils, run, type WorkerEvents } from 'graphile-worker';
import { openDatabase, type Database } from '@infernet/db';
import { Cleanup } from './support/cleanup';
import { printGoal, printHeading, printLatency, printRate, printRatio } from './support/report';
import { createScratchDatabase } from './support/scratch-database';
import { median, summarizeLatency } from './support/statistics';

const JOBS = Number(process.env.BENCH_JOBS ?? 5_000);
const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 16);
const BATCH = Number(process.env.BENCH_BATCH ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const MODEL = 'bench-model';
const LEASE_SECONDS = 300;
const GOAL = { singleRatio: 1.0, batchedRatio: 3.0 };

interface DrainResult {
  jobsPerSecond: number;
  enqueuePerSecond: number;
  claimMilliseconds?: number[];
  completeMilliseconds?: number[];
}

/** Only warnings and errors; per-job info lines would cost graphile-worker time the other side does not spend. */
const quietLogger = new Logger(() => (level, message) => {
  // graphile-worker warns that a pool of 10 is smaller than its concurrency of 16; that is intended.
  if (message.includes('maxPoolSize')) return;
  if (level === 'error' || level === 'warning')
    console.error(`graphile-worker ${level}: ${message}`);
});

function randomPublicKey(): string {
  return randomBytes(32).toString('hex');
}

async function registerProviders(db: Database): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < PROVIDERS; index += 1) {
    const result = await db.providers.register({
      publicKey: randomPublicKey(),
      nodeId: `bench-provider-${index}`,
      role: 'provider',
      name: null,
      status: 'available',
      address: null,
      port: null,
      gpuModel: null,
      price: null,
      specs: { gpus: [], gpu_count: 0, served_models: [MODEL] },
    });
    if (!result.ok) throw new Error(`registering provider ${index} failed: ${result.reason}`);
    ids.push(result.provider.id);
  }
  return ids;
}

/** Runs `count` calls of `work` with at most `concurrency` in flight. */
async function inParallel(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

async function drainInfernet(limit: number, cleanup: Cleanup): Promise<DrainResult> {
  const scratch = cleanup.add('scratch database', await createScratchDatabase(), (database) =>
    database.drop(),
  );
  const db = cleanup.add(
    'infernet database',
    await openDatabase({ databaseUrl: scratch.url }),
    (database) => database.close(),
  );
  try {
    const providerIds = await registerProviders(db);
    const enqueueStarted = performance.now();
    await inParallel(JOBS, PROVIDERS, async (index) => {
      const job = await db.jobs.createChat({
        model: MODEL,
        title: `bench job ${index}`,
        input: { messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, temperature: 0 },
        streamTokenHash: createHash('sha256').update(String(index)).digest('hex'),
      });
      if (!job) throw new Error('createChat returned null without a capacity check');
    });
    const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
    // Open every pooled connection now, so the drain does not pay for connecting.
    await Promise.all(Array.from({ length: PROVIDERS }, () => db.ping()));

    const claimMilliseconds: number[] = [];
    const completeMilliseconds: number[] = [];
    let completed = 0;
    const started = performance.now();
    await Promise.all(
      providerIds.map(async (providerId) => {
        for (;;) {
          const claimStarted = performance.now();
          const jobs = await db.jobs.claim({
            providerId,
            models: [MODEL],
            limit,
            leaseSeconds: LEASE_SECONDS,
          });
          claimMilliseconds.push(performance.now() - claimStarted);
          // SKIP LOCKED may hand back nothing while the last rows are being taken by others.
          if (jobs.length === 0) return;
          // A node runs the jobs of one claim side by side (the daemon starts each as it arrives).
          await Promise.all(
            jobs.map(async (job) => {
              const completeStarted = performance.now();
              const result = await db.jobs.complete({
                jobId: job.id,
                providerId,
                status: 'completed',
                result: { text: 'ok' },
                error: null,
              });
              completeMilliseconds.push(performance.now() - completeStarted);
              if (!result.ok) throw new Error(`complete failed: ${result.reason}`);
              completed += 1;
            }),
          );
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const counts = await db.jobs.counts();
    if (completed !== JOBS || counts.completed !== JOBS || counts.queued !== 0) {
      throw new Error(
        `expected ${JOBS} completed jobs, loops completed ${completed}; database says ${JSON.stringify(counts)}`,
      );
    }
    return {
      jobsPerSecond: JOBS / seconds,
      enqueuePerSecond: JOBS / enqueueSeconds,
      claimMilliseconds,
      completeMilliseconds,
    };
  } finally {
    await cleanup.release(db);
    await cleanup.release(scratch);
  }
}

async function drainGraphileWorker(cleanup: Cleanup): Promise<DrainResult> {
  const scratch = cleanup.add('scratch database', await createScratchDatabase(), (database) =>
    database.drop(),
  );
  const probe = new pg.Client({ connectionString: scratch.url });
  probe.on('error', () => {});
  try {
    // Pools of our own, ended before the database is dropped: graphile-worker's
    // internal pools could otherwise keep idle clients that the drop terminates,
    // which surfaces as an unhandled pool error.
    const utilsPool = new pg.Pool({ connectionString: scratch.url, max: 2 });
    utilsPool.on('error', () => {});
    utilsPool.on('connect', (client) => client.on('error', () => {}));
    const utils = await makeWorkerUtils({ pgPool: utilsPool, logger: quietLogger });
    try {
      await utils.migrate();
      const enqueueStarted = performance.now();
      const specs = Array.from({ length: JOBS }, () => ({ identifier: 'noop', payload: {} }));
      // One call per 5,000 jobs keeps each statement's parameter reasonable.
      for (let offset = 0; offset < specs.length; offset += 5_000) {
        await utils.addJobs(specs.slice(offset, offset + 5_000));
      }
      const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;

      await probe.connect();
      const events: WorkerEvents = new EventEmitter();
      let firstStart: number | undefined;
      let completions = 0;
      let allReported: () => void = () => {};
      const reported = new Promise<void>((resolve) => (allReported = resolve));
      events.on('job:start', () => (firstStart ??= performance.now()));
      events.on('job:complete', () => {
        completions += 1;
        if (completions === JOBS) allReported();
      });
      const pgPool = new pg.Pool({ connectionString: scratch.url, max: 10 });
      pgPool.on('error', () => {});
      pgPool.on('connect', (client) => client.on('error', () => {}));
      const runner = await run({
        pgPool,
        concurrency: PROVIDERS,
        noHandleSignals: true,
        pollInterval: 1_000,
        logger: quietLogger,
        events,
        taskList: { noop: async () => {} },
      });
      try {
        await reported;
        // `job:complete` fires once the completion query is sent; wait until the rows are gone.
        for (;;) {
          const { rows } = await probe.query<{ remaining: string }>(
            'SELECT count(*) AS remaining FROM graphile_worker._private_jobs',
          );
          if (Number(rows[0]!.remaining) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        const seconds = (performance.now() - firstStart!) / 1000;
        return { jobsPerSecond: JOBS / seconds, enqueuePerSecond: JOBS / enqueueSeconds };
      } finally {
        await runner.stop();
        await pgPool.end();
      }
    } finally {
      await utils.release();
      await utilsPool.end();
    }
  } finally {
    await probe.end().catch(() => {});
    await cleanup.release(scratch);
  }
}

const cleanup = new Cleanup();
try {
  console.log(
    `${JOBS.toLocaleString('en-US')} jobs per run, ${PROVIDERS} concurrent providers/workers, batch size ${BATCH}, ${ROUNDS} round(s); PostgreSQL scratch databases`,
  );
  const results = {
    graphile: [] as DrainResult[],
    single: [] as DrainResult[],
    batched: [] as DrainResult[],
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternating runs, so machine drift hits every system alike.
    results.graphile.push(await drainGraphileWorker(cleanup));
    results.single.push(await drainInfernet(1, cleanup));
    results.batched.push(await drainInfernet(BATCH, cleanup));
  }
  const rate = (runs: DrainResult[]) => median(runs.map((result) => result.jobsPerSecond));
  const enqueueRate = (runs: DrainResult[]) =>
    median(runs.map((result) => result.enqueuePerSecond));
  const rounds = (runs: DrainResult[]) =>
    runs.length > 1
      ? `rounds ${runs.map((result) => Math.round(result.jobsPerSecond).toLocaleString('en-US')).join(' / ')}`
      : '';
  const graphile = rate(results.graphile);
  const single = rate(results.single);
  const batched = rate(results.batched);

  printHeading('drain: claim + complete, jobs/s (median of rounds)');
  printRate('graphile-worker 0.17.3 (no-op task)', graphile, rounds(results.graphile));
  printRate('infernet claim limit=1', single, rounds(results.single));
  printRate(`infernet claim limit=${BATCH}`, batched, rounds(results.batched));

  printHeading('where the time goes (last round, per call as the provider sees it)');
  for (const [label, result] of [
    ['limit=1', results.single.at(-1)!],
    [`limit=${BATCH}`, results.batched.at(-1)!],
  ] as const) {
    printLatency(`claim (${label})`, summarizeLatency(result.claimMilliseconds!));
    printLatency(`complete (${label})`, summarizeLatency(result.completeMilliseconds!));
  }

  printHeading('enqueue (not part of the drain figure)');
  printRate('graphile-worker addJobs (bulk)', enqueueRate(results.graphile));
  printRate('infernet createChat (16 in flight)', enqueueRate(results.single));

  printHeading('goals');
  printGoal(
    `single claims ≥ ${GOAL.singleRatio.toFixed(1)}× graphile-worker (${Math.round(single)} vs ${Math.round(graphile)} jobs/s)`,
    single >= GOAL.singleRatio * graphile,
  );
  printGoal(
    `batched claims (limit=${BATCH}) ≥ ${GOAL.batchedRatio.toFixed(1)}× graphile-worker (${Math.round(batched)} vs ${Math.round(graphile)} jobs/s)`,
    batched >= GOAL.batchedRatio * graphile,
  );
  printRatio('infernet limit=1 / graphile-worker', single / graphile);
  printRatio(`infernet limit=${BATCH} / graphile-worker`, batched / graphile);
} finally {
  await cleanup.run();
}
