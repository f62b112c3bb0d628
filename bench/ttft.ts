/**
 * B5: time to first token through the control plane versus calling the same
 * engine directly, at 50 concurrent streams. A fake Ollama serves the model,
 * real node daemons (`infernet start --foreground`, each its own process;
 * two, because the CLI caps a node at 25 concurrent jobs) serve it to a
 * control-plane process, and 50 consumers each run chats back to back. A
 * one-stream-at-a-time run first shows the cost of the hops without queueing.
 *
 *   direct    POST {ollama}/api/chat (stream); TTFT = until the first
 *             chunk with content
 *   infernet  POST /api/chat, then GET /api/chat/stream/:id (SSE); TTFT =
 *             from the POST until the first `token` event
 *   openai    POST /v1/chat/completions with `"stream": true` (SSE
 *             `chat.completion.chunk` frames); TTFT = from the POST until
 *             the first chunk with non-empty `delta.content`
 *
 * The goal is measured with the 50 streams held steady: their chats start
 * spread over a chat's length and each stream opens its next chat when the
 * last one ends, so at any moment about 50 answers are being generated and
 * relayed (`steadyStreams`). The two control-plane paths take turns, so
 * drift and machine noise fall on both alike. Earlier versions started
 * every stream's chat in the same instant, round after round; that burst is
 * still measured, as context (`BENCH_BURSTS`).
 *
 * The fake engine behaves as `research/performance.md` §5 sets out for this
 * scenario: 20 ms to the first token, then one every 6 ms (an 8B model on
 * one H100). Answers are 256 tokens, about 1.6 s of generation, so 50
 * streams are 50 answers in flight, about 31 new chats/s and 8,000 relayed
 * tokens/s. With 12-token answers (`BENCH_REPLY_TOKENS=12`, the default of
 * earlier versions) 50 streams instead ask for about 580 new chats/s, which
 * saturates the two cores this machine shares between the load generator,
 * the engine, two daemons, PostgreSQL and the server: that measures the
 * chat rate the machine sustains, not the latency the hops add.
 *
 *   npm run bench:ttft
 *   BENCH_REPLY_TOKENS=12 npm run bench:ttft   # short answers: the chat-rate stress
 *   BENCH_REQUESTS=2000 BENCH_TOKEN_DELAY_MS=2 npm run bench:ttft
 *   INFERNET_CPU_PROFILE_DIR=/tmp/profiles npm run bench:ttft   # V8 profiles of server and nodes
 *   BENCH_NODES=4 npm run bench:ttft   # more node daemons, fewer slots each
 *
 * Both sides use the same bare `node:http` client, so client overhead
 * cancels out in the difference.
 *
 * Before anything starts, it measures what one hop costs on the machine
 * that day (an HTTP round trip between processes and a PostgreSQL commit,
 * back to back and after 50 ms idle; `support/hop-floor.ts`) and prints it
 * beside the goals: on its way to the first token a chat crosses four
 * hops between processes (consumer to control plane to node, and back)
 * and two commits that a direct call does not, so that floor moves the
 * result from one day to the next.
 */
import http from 'node:http';
import pg from 'pg';
import { LONG_POLL_MAX_WAIT_SECONDS, POLL_MAX_JOBS } from '@infernet/protocol';
import { startFakeOllama } from '@infernet/testkit';
import { runCli, startServerProcess, temporaryHome } from '../tests/e2e/src/processes';
import { Cleanup } from './support/cleanup';
import { keepAliveAgent, openSse, postJson } from './support/http-client';
import {
  CpuMeter,
  cpuSecondsOf,
  ownCpuSeconds,
  postgresCpuSecondsOf,
  processTree,
} from './support/process-cpu';
import { printGoal, printHeading, printLatency } from './support/report';
import { describeHopFloor, measureHopFloor } from './support/hop-floor';
import { createSseFrameReader } from './support/sse-frames';
import { createScratchDatabase } from './support/scratch-database';
import { summarizeLatency } from './support/statistics';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const SINGLE_STREAM_REQUESTS = Number(process.env.BENCH_SINGLE_STREAM_REQUESTS ?? 50);
const WARMUP_REQUESTS = Number(process.env.BENCH_WARMUP_REQUESTS ?? CONCURRENCY);
/** Times each path opens all its streams in one instant (printed as context). */
const BURSTS = Number(process.env.BENCH_BURSTS ?? 2);
const FIRST_TOKEN_DELAY_MS = Number(process.env.BENCH_FIRST_TOKEN_DELAY_MS ?? 20);
const TOKEN_DELAY_MS = Number(process.env.BENCH_TOKEN_DELAY_MS ?? 6);
const MODEL = 'bench-ttft-model';
const REPLY_TOKENS = Number(process.env.BENCH_REPLY_TOKENS ?? 256);
/** Replies at one stream: its TTFT does not depend on the length, and short chats keep it quick. */
const SHORT_REPLY_TOKENS = Math.min(12, REPLY_TOKENS);
const WORDS = 'The quick brown fox jumps over the lazy dog again and again.'.split(' ');
const REPLY = Array.from({ length: REPLY_TOKENS }, (_, index) => `${WORDS[index % WORDS.length]} `);
const GOAL = { addedP50: 5, addedP99: 25, openAiAddedP50: 1, openAiAddedP50Share: 0.05 };
/** A pick-up slower than this at one stream means a long poll ran out, not queueing. */
const STALLED_PICKUP_MS = LONG_POLL_MAX_WAIT_SECONDS * 1000 * 0.8;

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Runs `total` calls of `once`, `concurrency` at a time, and returns what each measured. */
async function closedLoop<Sample>(
  total: number,
  concurrency: number,
  once: () => Promise<Sample>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started += 1;
        samples.push(await once());
      }
    }),
  );
  return samples;
}

/**
 * One chat on one path; resolves once the stream ended, with a function that
 * records what it measured (called only for chats that count).
 */
type Chat = () => Promise<() => void>;

/**
 * Holds `concurrency` streams open in a steady state: stream `i` opens its
 * first chat `i / concurrency` of a chat's length after the first, so chats
 * begin and end spread out over time rather than in waves, and each stream
 * opens its next chat as soon as its last one ended. Chats take the paths in
 * turn (a b a b ...), so every path sees the same machine. Chats that start
 * during the ramp are not counted, and streams keep chatting until every
 * counted chat has ended, so each counted chat has all the others beside it.
 * Returns the seconds from the end of the ramp to the end of the last
 * counted chat.
 */
async function steadyStreams(
  paths: readonly Chat[],
  perPath: number,
  concurrency: number,
  chatMilliseconds: number,
): Promise<number> {
  const startedAt = performance.now();
  const rampEnd = startedAt + chatMilliseconds;
  const counted = paths.map(() => 0);
  const target = perPath * paths.length;
  let turn = 0;
  let countedEnds = 0;
  let lastCountedEnd = rampEnd;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, stream) => {
      await pause((stream * chatMilliseconds) / concurrency);
      while (countedEnds < target) {
        const path = turn % paths.length;
        turn += 1;
        const counts = performance.now() >= rampEnd && counted[path]! < perPath;
        if (counts) counted[path]! += 1;
        const record = await paths[path]!();
        if (counts) {
          record();
          countedEnds += 1;
          lastCountedEnd = performance.now();
        }
      }
    }),
  );
  return (lastCountedEnd - rampEnd) / 1000;
}

/**
 * Opens `concurrency` chats on each path at the same instant, `bursts` times
 * per path, alternating the path that goes first.
 */
async function bursts(paths: readonly Chat[], concurrency: number, count: number): Promise<void> {
  for (let round = 0; round < count; round += 1) {
    const order = round % 2 === 0 ? paths : [...paths].reverse();
    for (const path of order) {
      const records = await Promise.all(Array.from({ length: concurrency }, () => path()));
      for (const record of records) record();
    }
  }
}

/** One streamed chat straight to the engine; resolves the TTFT in ms once the stream ends. */
function directChat(engineUrl: URL, maxTokens: number): Promise<number> {
  const body = JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: 'Say something' }],
    stream: true,
    options: { num_predict: maxTokens },
  });
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let firstTokenAt: number | undefined;
    const request = http.request(
      {
        agent: keepAliveAgent,
        host: engineUrl.hostname,
        port: engineUrl.port,
        method: 'POST',
        path: '/api/chat',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const arrivedAt = performance.now();
          buffer += chunk;
          let newline: number;
          while ((newline = buffer.indexOf('\n')) !== -1) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (firstTokenAt !== undefined || line === '') continue;
            const parsed = JSON.parse(line) as { message?: { content?: string } };
            if (parsed.message?.content) firstTokenAt = arrivedAt;
          }
        });
        response.on('end', () =>
          firstTokenAt === undefined
            ? reject(new Error('the engine stream ended without a token'))
            : resolve(firstTokenAt - startedAt),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

interface InfernetSample {
  ttft: number;
  /** POST /api/chat answered (the job is queued). */
  submitted: number;
  /** The `meta` event arrived: a node picked the job up and its first post was relayed. */
  meta: number;
}

/** One chat through the control plane; resolves once its stream ended with `done`. */
async function infernetChat(baseUrl: URL, maxTokens: number): Promise<InfernetSample> {
  const startedAt = performance.now();
  const response = await postJson(
    baseUrl,
    '/api/chat',
    JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'Say something' }],
      maxTokens,
    }),
  );
  const submittedAt = performance.now();
  if (response.status !== 201)
    throw new Error(`POST /api/chat answered ${response.status}: ${response.body}`);
  const { jobId, streamToken } = JSON.parse(response.body) as {
    jobId: string;
    streamToken: string;
  };
  let metaAt: number | undefined;
  let firstTokenAt: number | undefined;
  let finished = false;
  const connection = openSse(
    baseUrl,
    `/api/chat/stream/${jobId}`,
    { authorization: `Bearer ${streamToken}` },
    (event, arrivedAt) => {
      if (event.event === 'meta') metaAt ??= arrivedAt;
      if (event.event === 'token') firstTokenAt ??= arrivedAt;
      if (event.event === 'done' || event.event === 'error') finished = true;
      if (event.event === 'error') console.error(`job ${jobId} failed: ${event.data}`);
    },
  );
  await connection.opened;
  await connection.ended;
  if (!finished || firstTokenAt === undefined) {
    throw new Error(`the stream of job ${jobId} ended without a token and a done event`);
  }
  return {
    ttft: firstTokenAt - startedAt,
    submitted: submittedAt - startedAt,
    meta: (metaAt ?? firstTokenAt) - startedAt,
  };
}

/**
 * One streamed chat through the OpenAI-compatible endpoint; resolves the TTFT
 * in ms (POST sent → first chunk with non-empty `delta.content`) once the
 * stream ends with `[DONE]`. Like `directChat`, it stops parsing JSON after the
 * first content chunk and only looks for the `[DONE]` sentinel from then on.
 */
function openAiChat(baseUrl: URL, maxTokens: number): Promise<number> {
  const body = JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: 'Say something' }],
    stream: true,
    max_tokens: maxTokens,
  });
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let firstTokenAt: number | undefined;
    let done = false;
    const request = http.request(
      {
        agent: keepAliveAgent,
        host: baseUrl.hostname,
        port: baseUrl.port,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'text/event-stream',
        },
      },
      (response) => {
        response.setEncoding('utf8');
        if (response.statusCode !== 200) {
          let text = '';
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            reject(new Error(`POST /v1/chat/completions answered ${response.statusCode}: ${text}`)),
          );
          return;
        }
        let arrivedAt = 0;
        const read = createSseFrameReader(({ data }) => {
          if (data === '[DONE]') done = true;
          else if (data !== '' && firstTokenAt === undefined) {
            const parsed = JSON.parse(data) as {
              choices?: { delta?: { content?: string } }[];
              error?: { message?: string };
            };
            if (parsed.error) console.error(`openai stream failed: ${parsed.error.message}`);
            if (parsed.choices?.[0]?.delta?.content) firstTokenAt = arrivedAt;
          }
        });
        response.on('data', (chunk: string) => {
          arrivedAt = performance.now();
          read(chunk);
        });
        response.on('end', () =>
          firstTokenAt === undefined || !done
            ? reject(new Error('the /v1/chat/completions stream ended without content and [DONE]'))
            : resolve(firstTokenAt - startedAt),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function printBreakdown(title: string, samples: readonly InfernetSample[]): void {
  printHeading(title);
  printLatency(
    'POST /api/chat answered',
    summarizeLatency(samples.map((sample) => sample.submitted)),
  );
  printLatency(
    'meta event (node picked up)',
    summarizeLatency(samples.map((sample) => sample.meta)),
  );
  printLatency('first token event', summarizeLatency(samples.map((sample) => sample.ttft)));
  printLatency(
    'meta → first token',
    summarizeLatency(samples.map((sample) => sample.ttft - sample.meta)),
  );
}

const cleanup = new Cleanup();
try {
  const ollama = cleanup.add(
    'fake Ollama',
    await startFakeOllama({
      models: [MODEL],
      reply: () => REPLY,
      delayBeforeToken: (index) => (index === 0 ? FIRST_TOKEN_DELAY_MS : TOKEN_DELAY_MS),
    }),
    (engine) => engine.close(),
  );
  const scratch = cleanup.add('scratch database', await createScratchDatabase(), (database) =>
    database.drop(),
  );
  // Measured before anything else runs, so it describes the machine, not the load.
  const hopFloor = await measureHopFloor(scratch.url);
  const server = cleanup.add(
    'control plane',
    await startServerProcess({ DATABASE_URL: scratch.url }),
    (process) => process.stop(),
  );
  // The CLI caps a node at POLL_MAX_JOBS (25) concurrent jobs, so 50 streams need two daemons.
  const nodeCount = Math.max(
    Number(process.env.BENCH_NODES ?? 0),
    Math.ceil(CONCURRENCY / POLL_MAX_JOBS),
  );
  const nodes = [];
  for (let index = 0; index < nodeCount; index += 1) {
    const home = cleanup.add('node home', await temporaryHome(), (directory) => directory.remove());
    const nodeEnvironment = {
      HOME: home.path,
      XDG_CONFIG_HOME: `${home.path}/.config`,
      INFERNET_CONTROL_PLANE_URL: server.url,
      INFERNET_ENGINE: 'ollama',
      INFERNET_ENGINE_URL: ollama.url,
      INFERNET_NODE_NAME: `bench-ttft-node-${index}`,
      INFERNET_MAX_CONCURRENT_JOBS: String(Math.ceil(CONCURRENCY / nodeCount)),
    };
    const init = runCli(['init', '--no-advertise'], nodeEnvironment);
    if ((await init.exited) !== 0)
      throw new Error(`infernet init failed:\n${init.lines.join('\n')}`);
    nodes.push(
      cleanup.add('node daemon', runCli(['start', '--foreground'], nodeEnvironment), (daemon) =>
        daemon.stop(),
      ),
    );
  }
  await Promise.all(nodes.map((node) => node.waitForLine(/node ready/, 60_000)));

  const probe = cleanup.add(
    'probe connection',
    new pg.Client({ connectionString: scratch.url }),
    (client) => client.end(),
  );
  probe.on('error', () => {});
  await probe.connect();
  const engineUrl = new URL(ollama.url);
  const baseUrl = new URL(server.url);
  /** How long the fake engine takes over an answer of this many tokens. */
  const answerMilliseconds = (tokens: number) =>
    FIRST_TOKEN_DELAY_MS + (tokens - 1) * TOKEN_DELAY_MS;
  console.log(
    `${CONCURRENCY} concurrent streams held steady, ${REQUESTS} chats per path (/api/chat and /v1/chat/completions taking turns); fake Ollama ${FIRST_TOKEN_DELAY_MS} ms to the first token then ${TOKEN_DELAY_MS} ms per token, ${REPLY_TOKENS} tokens per reply (${SHORT_REPLY_TOKENS} at 1 stream); ${nodes.length} node daemon(s) of ${Math.ceil(CONCURRENCY / nodes.length)} slots; PostgreSQL scratch database`,
  );

  await closedLoop(WARMUP_REQUESTS, CONCURRENCY, () => directChat(engineUrl, SHORT_REPLY_TOKENS));
  await closedLoop(WARMUP_REQUESTS, CONCURRENCY, () => infernetChat(baseUrl, SHORT_REPLY_TOKENS));
  await closedLoop(WARMUP_REQUESTS, CONCURRENCY, () => openAiChat(baseUrl, SHORT_REPLY_TOKENS));

  /** The three paths of one phase, each recording into its own list. */
  const pathsFor = (maxTokens: number) => {
    const recorded = {
      direct: [] as number[],
      infernet: [] as InfernetSample[],
      openAi: [] as number[],
    };
    const direct: Chat = async () => {
      const ttft = await directChat(engineUrl, maxTokens);
      return () => recorded.direct.push(ttft);
    };
    const infernet: Chat = async () => {
      const sample = await infernetChat(baseUrl, maxTokens);
      return () => recorded.infernet.push(sample);
    };
    const openAi: Chat = async () => {
      const ttft = await openAiChat(baseUrl, maxTokens);
      return () => recorded.openAi.push(ttft);
    };
    return { recorded, direct, infernet, openAi };
  };

  // One stream at a time first: the overhead of the hops themselves, with no queueing.
  const singleRequests = Math.min(REQUESTS, SINGLE_STREAM_REQUESTS);
  const single = pathsFor(SHORT_REPLY_TOKENS);
  await steadyStreams([single.direct], singleRequests, 1, answerMilliseconds(SHORT_REPLY_TOKENS));
  await steadyStreams(
    [single.infernet, single.openAi],
    singleRequests,
    1,
    answerMilliseconds(SHORT_REPLY_TOKENS),
  );
  const singleSamples = single.recorded.infernet;
  const singleDirect = summarizeLatency(single.recorded.direct);
  const singleOpenAi = summarizeLatency(single.recorded.openAi);
  const singleInfernet = summarizeLatency(singleSamples.map((sample) => sample.ttft));
  const slowestSingle = singleSamples.reduce((slowest, sample) =>
    sample.ttft > slowest.ttft ? sample : slowest,
  );

  /** The database's clock, which the server-side timeline below is read against. */
  const databaseClock = async () =>
    (await probe.query<{ at: Date }>('SELECT clock_timestamp() AS at')).rows[0]!.at;
  const steady = pathsFor(REPLY_TOKENS);
  await steadyStreams([steady.direct], REQUESTS, CONCURRENCY, answerMilliseconds(REPLY_TOKENS));
  const cpu = new CpuMeter({
    'load generator + fake Ollama': ownCpuSeconds,
    'control plane': (() => {
      const pids = processTree(server.child.pid!);
      return () => cpuSecondsOf(pids);
    })(),
    [`node daemon${nodes.length > 1 ? `s (${nodes.length})` : ''}`]: (() => {
      const pids = nodes.flatMap((node) => processTree(node.child.pid!));
      return () => cpuSecondsOf(pids);
    })(),
    'PostgreSQL (this database)': postgresCpuSecondsOf(scratch.name),
  });
  const steadyStartedAt = await databaseClock();
  cpu.start();
  const steadySeconds = await steadyStreams(
    [steady.infernet, steady.openAi],
    REQUESTS,
    CONCURRENCY,
    answerMilliseconds(REPLY_TOKENS),
  );
  const cores = cpu.stop();
  const steadyEndedAt = await databaseClock();
  const samples = steady.recorded.infernet;
  const direct = summarizeLatency(steady.recorded.direct);
  const infernet = summarizeLatency(samples.map((sample) => sample.ttft));
  const openAi = summarizeLatency(steady.recorded.openAi);

  // Context, no goal: every stream opening a chat in the same instant.
  const burst = pathsFor(REPLY_TOKENS);
  await bursts([burst.direct, burst.infernet, burst.openAi], CONCURRENCY, BURSTS);

  printHeading('time to first token, 1 stream at a time (no queueing)');
  printLatency('direct to the engine (baseline)', singleDirect);
  printLatency('through infernet (/api/chat)', singleInfernet);
  printLatency('through /v1/chat/completions', singleOpenAi);
  console.log(
    `  slowest infernet chat: answered ${slowestSingle.submitted.toFixed(1)} ms, meta ${slowestSingle.meta.toFixed(1)} ms, first token ${slowestSingle.ttft.toFixed(1)} ms after the POST`,
  );
  if (slowestSingle.meta > STALLED_PICKUP_MS) {
    console.log(
      `  note: that job sat queued until a node's ${LONG_POLL_MAX_WAIT_SECONDS} s long poll ran out: the wake-up did not lead to a claim (a missed pick-up, not load).`,
    );
  }
  printHeading(`time to first token, ${CONCURRENCY} concurrent streams held steady`);
  printLatency('direct to the engine (baseline)', direct);
  printLatency('through infernet (/api/chat)', infernet);
  printLatency('through /v1/chat/completions', openAi);
  if (BURSTS > 0) {
    printHeading(
      `context: ${CONCURRENCY} chats opened in the same instant (${BURSTS} bursts per path)`,
    );
    printLatency('direct to the engine', summarizeLatency(burst.recorded.direct));
    printLatency(
      'through infernet (/api/chat)',
      summarizeLatency(burst.recorded.infernet.map((sample) => sample.ttft)),
    );
    printLatency('through /v1/chat/completions', summarizeLatency(burst.recorded.openAi));
  }
  printBreakdown(
    `infernet at 1 stream, from the consumer POST (where the time goes)`,
    singleSamples,
  );
  printBreakdown(`infernet at ${CONCURRENCY} steady streams, from the consumer POST`, samples);
  console.log(
    `${((samples.length + steady.recorded.openAi.length) / steadySeconds).toFixed(0)} chats/s over both paths; CPU (cores of 2): ${Object.entries(
      cores,
    )
      .map(([name, used]) => `${name} ${used.toFixed(2)}`)
      .join(', ')}`,
  );

  const addedP50 = infernet.p50 - direct.p50;
  const addedP99 = infernet.p99 - direct.p99;
  // The database's own clock for each chat: where a job waited, seen from the server side.
  const phases = await probe.query<{ phase: string; p50: number; p90: number; p99: number }>(
    `WITH timeline AS (
       SELECT j.created_at, j.assigned_at, j.completed_at,
              (SELECT min(e.created_at) FROM job_events e WHERE e.job_id = j.id) AS first_event_at
         FROM jobs j WHERE j.status = 'completed' AND j.created_at BETWEEN $1 AND $2),
     phases AS (
       SELECT 'queued → claimed' AS phase, 1 AS place, extract(epoch FROM assigned_at - created_at) * 1000 AS ms FROM timeline
       UNION ALL SELECT 'claimed → first event stored', 2, extract(epoch FROM first_event_at - assigned_at) * 1000 FROM timeline
       UNION ALL SELECT 'first event → completed', 3, extract(epoch FROM completed_at - first_event_at) * 1000 FROM timeline)
     SELECT phase, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS p90,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
       FROM phases GROUP BY phase, place ORDER BY place`,
    [steadyStartedAt, steadyEndedAt],
  );
  printHeading(
    `server-side timeline at ${CONCURRENCY} steady streams (database clock, both paths)`,
  );
  for (const row of phases.rows) {
    console.log(
      `${row.phase.padEnd(34)} p50=${row.p50.toFixed(2).padStart(8)} ms  p90=${row.p90.toFixed(2).padStart(8)} ms  p99=${row.p99.toFixed(2).padStart(8)} ms`,
    );
  }

  printHeading('goals');
  console.log(describeHopFloor(hopFloor));
  console.log(
    `added at 1 stream (context, no goal): p50 ${(singleInfernet.p50 - singleDirect.p50).toFixed(2)} ms, p99 ${(singleInfernet.p99 - singleDirect.p99).toFixed(2)} ms`,
  );
  printGoal(
    `added TTFT p50 ≤ ${GOAL.addedP50} ms at ${CONCURRENCY} streams (${addedP50.toFixed(2)} ms)`,
    addedP50 <= GOAL.addedP50,
  );
  printGoal(
    `added TTFT p99 ≤ ${GOAL.addedP99} ms at ${CONCURRENCY} streams (${addedP99.toFixed(2)} ms)`,
    addedP99 <= GOAL.addedP99,
  );
  const openAiDelta = openAi.p50 - infernet.p50;
  printGoal(
    `OpenAI endpoint adds no more than /api/chat: p50 Δ ≤ ${GOAL.openAiAddedP50} ms (or ≤ ${GOAL.openAiAddedP50Share * 100} %) at ${CONCURRENCY} streams (Δ ${openAiDelta.toFixed(2)} ms, ${((openAiDelta / infernet.p50) * 100).toFixed(1)} %; at 1 stream Δ ${(singleOpenAi.p50 - singleInfernet.p50).toFixed(2)} ms)`,
    openAiDelta <= GOAL.openAiAddedP50 || openAiDelta <= infernet.p50 * GOAL.openAiAddedP50Share,
  );
  console.log(
    `ratio: /v1/chat/completions / /api/chat TTFT at ${CONCURRENCY} streams = ${(openAi.p50 / infernet.p50).toFixed(2)}× at p50, ${(openAi.p99 / infernet.p99).toFixed(2)}× at p99; at 1 stream ${(singleOpenAi.p50 / singleInfernet.p50).toFixed(2)}× at p50, ${(singleOpenAi.p99 / singleInfernet.p99).toFixed(2)}× at p99`,
  );
  console.log(
    `ratio: infernet / direct TTFT at ${CONCURRENCY} streams = ${(infernet.p50 / direct.p50).toFixed(1)}× at p50, ${(infernet.p99 / direct.p99).toFixed(1)}× at p99`,
  );
} finally {
  await cleanup.run();
}
