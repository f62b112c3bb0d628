/**
 * Reads a file written by `support/hop-trace.mjs` during a one-stream
 * `bench:ttft` run and prints where each chat's added time went, hop by
 * hop, from the consumer's POST reaching the control plane to the first
 * token's write towards the consumer (the engine's own time left out).
 * Chats must not overlap: run it with BENCH_CONCURRENCY=1.
 *
 *   npx tsx bench/hop-trace-report.ts /tmp/hops.txt
 */
import { readFileSync } from 'node:fs';
import { printLatency } from './support/report';
import { summarizeLatency } from './support/statistics';

interface Step {
  at: bigint;
  pid: string;
  kind: string;
  detail: string;
}

const file = process.argv[2];
if (!file) throw new Error('usage: tsx bench/hop-trace-report.ts <HOP_TRACE_FILE>');
const steps: Step[] = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => {
    const [at, pid, kind, ...detail] = line.split(' ');
    return { at: BigInt(at!), pid: pid!, kind: kind!, detail: detail.join(' ') };
  })
  .sort((left, right) => (left.at < right.at ? -1 : left.at > right.at ? 1 : 0));

const processOf = (kind: string, prefix: string) =>
  steps.find((step) => step.kind === kind && step.detail.startsWith(prefix))?.pid;
const controlPlane = processOf('server-request', 'POST /api/v1/node/');
const daemon = processOf('client-send', 'POST /api/v1/node/jobs/poll');
if (!controlPlane || !daemon) throw new Error('no control plane or node daemon in the trace');

/** What marks the end of one hop, found as the first such step after the previous one. */
interface Hop {
  name: string;
  matches(step: Step, chat: { id: string }): boolean;
  /** The engine's own time: measured, but not the control plane's doing. */
  engine?: boolean;
}
const on = (pid: string, kind: string, prefix: string) => (step: Step) =>
  step.pid === pid && step.kind === kind && step.detail.startsWith(prefix);
const hops: Hop[] = [
  { name: 'server, before the submit', matches: on(controlPlane, 'query-send', '') },
  { name: 'submit statement', matches: on(controlPlane, 'query-answer', '') },
  {
    name: 'server writes the poll answer',
    matches: on(controlPlane, 'server-end', 'POST /api/v1/node/jobs/poll'),
  },
  {
    name: 'to the daemon',
    matches: on(daemon, 'client-response', 'POST /api/v1/node/jobs/poll'),
  },
  { name: 'daemon, job to engine request', matches: on(daemon, 'client-send', 'POST /api/chat') },
  {
    name: 'engine (left out of the sum)',
    matches: on(daemon, 'client-response', 'POST /api/chat'),
    engine: true,
  },
  {
    name: 'daemon, first token to its post',
    matches: on(daemon, 'client-send', 'POST /api/v1/node/events'),
  },
  {
    name: 'to the server',
    matches: on(controlPlane, 'server-request', 'POST /api/v1/node/events'),
  },
  { name: 'server, before the append', matches: on(controlPlane, 'query-send', '') },
  { name: 'append statement', matches: on(controlPlane, 'query-answer', '') },
  {
    name: 'server writes the token',
    matches: (step, chat) =>
      step.pid === controlPlane &&
      step.kind === 'server-write' &&
      (step.detail.startsWith('GET /api/chat/stream/') || step.detail === chat.id),
  },
];

const milliseconds = (from: bigint, to: bigint) => Number(to - from) / 1e6;
const durations = hops.map(() => [] as number[]);
const added: number[] = [];
/** Where each chat starts: the consumer's POST reaching the control plane. */
const chatStarts = steps.flatMap((step, index) =>
  step.pid === controlPlane &&
  step.kind === 'server-request' &&
  (step.detail.startsWith('POST /api/chat ') || step.detail.startsWith('POST /v1/chat/'))
    ? [index]
    : [],
);

/** Index of the first step after `from` that ends `hop`, or -1. */
function nextStep(from: number, hop: Hop, chat: { id: string }): number {
  for (let position = from + 1; position < steps.length; position += 1) {
    if (hop.matches(steps[position]!, chat)) return position;
  }
  return -1;
}

for (const startIndex of chatStarts) {
  const start = steps[startIndex]!;
  let index = startIndex;
  let previous = start.at;
  const measured: number[] = [];
  for (const hop of hops) {
    index = nextStep(index, hop, { id: start.detail });
    if (index === -1) break;
    measured.push(milliseconds(previous, steps[index]!.at));
    previous = steps[index]!.at;
  }
  if (measured.length !== hops.length) continue;
  measured.forEach((value, hop) => durations[hop]!.push(value));
  added.push(measured.reduce((sum, value, hop) => (hops[hop]!.engine ? sum : sum + value), 0));
}
console.log(`${added.length} chats, from the consumer's POST reaching the control plane:`);
hops.forEach((hop, index) => printLatency(hop.name, summarizeLatency(durations[index]!)));
printLatency('all but the engine', summarizeLatency(added));
