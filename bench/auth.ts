/**
 * B1/B2 on one core: how many signatures the server can verify per second
 * (`verifyRequest`, whose BIP-340 check runs on libsecp256k1 compiled to
 * WebAssembly in Node), how many signed requests its node-auth middleware
 * passes per second (B2; next to the same route unauthenticated, and to
 * token batches carrying a lease token instead of a signature), and how
 * many a node can sign (`signRequest`), next to the raw primitives.
 *
 *   npm run bench:auth
 *   BENCH_SECONDS=5 BENCH_ROUNDS=5 npm run bench:auth
 *
 * Everything runs on the main thread of this one process, so each figure is
 * one core's worth. Every round measures every case once (interleaved, so
 * drift hits all cases alike); the figure printed is the median of rounds.
 */
import { createHash, randomBytes } from 'node:crypto';
import { schnorr } from '@noble/curves/secp256k1.js';
import { signSchnorr, verifySchnorr } from 'tiny-secp256k1';
import {
  MemoryReplayStore,
  generateKeyPair,
  publicKeyFromPrivateKey,
  schnorrVerify,
  signRequest,
  verifyRequest,
  type KeyPair,
} from '@infernet/auth';
import { Hono } from 'hono';
import { AUTH_HEADER_NAME, LEASE_HEADER_NAME } from '@infernet/protocol';
import type { AppEnv } from '../apps/server/src/context';
import { nodeAuth } from '../apps/server/src/middleware/node-auth';
import { printGoal, printHeading, printRate, printRatio } from './support/report';
import { median } from './support/statistics';

const SECONDS_PER_CASE = Number(process.env.BENCH_SECONDS ?? 1.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Distinct signed requests; verification cycles through them. */
const REQUEST_COUNT = Number(process.env.BENCH_AUTH_REQUESTS ?? 1_000);
const KEY_COUNT = 64;
const GOAL = {
  verificationsPerSecond: 4_000,
  signedRequestsPerSecond: 3_000,
  leaseTokenRequestsPerSecond: 15_000,
};
const PATH = '/api/v1/node/jobs/0f8fad5b-d9cb-469f-a165-70867728950e/events';

/** Runs `operation(index)` for about `seconds` and returns operations per second. */
async function throughput(seconds: number, operation: (index: number) => unknown): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let count = 0;
  // Reading the clock every 32 operations keeps its cost out of the figure.
  while (count % 32 !== 0 || performance.now() < deadline) {
    const result = operation(count);
    if (result instanceof Promise) await result;
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

/** A token batch like the daemon posts: ten small token events. */
function tokenBatchBody(index: number): string {
  const events = Array.from({ length: 10 }, (_, position) => ({
    event_type: 'token',
    data: { text: ` word${index}-${position}` },
  }));
  return JSON.stringify({ events });
}

interface SignedSample {
  header: string;
  request: { method: string; path: string; body: Uint8Array };
}

interface RawSample {
  signature: Uint8Array;
  messageHash: Uint8Array;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

function prepare(keys: readonly KeyPair[]) {
  const createdAt = Math.floor(Date.now() / 1000);
  const signed: SignedSample[] = [];
  const raw: RawSample[] = [];
  const encoder = new TextEncoder();
  for (let index = 0; index < REQUEST_COUNT; index += 1) {
    const key = keys[index % keys.length]!;
    const body = tokenBatchBody(index);
    const { header } = signRequest({
      method: 'POST',
      path: PATH,
      body,
      privateKey: key.privateKey,
      createdAt,
    });
    signed.push({ header, request: { method: 'POST', path: PATH, body: encoder.encode(body) } });
    const privateKey = Buffer.from(key.privateKey, 'hex');
    const messageHash = createHash('sha256').update(body).digest();
    raw.push({
      signature: schnorr.sign(messageHash, privateKey, randomBytes(32)),
      messageHash,
      publicKey: Buffer.from(key.publicKey, 'hex'),
      privateKey,
    });
  }
  return { signed, raw, bodies: signed.map((_, index) => tokenBatchBody(index)) };
}

const keys = Array.from({ length: KEY_COUNT }, () => generateKeyPair());
const preparing = performance.now();
const { signed, raw, bodies } = prepare(keys);
console.log(
  `prepared ${REQUEST_COUNT} signed token-batch requests (${signed[0]!.request.body.length} B bodies) from ${KEY_COUNT} keys in ${((performance.now() - preparing) / 1000).toFixed(1)} s; ${ROUNDS} rounds × ${SECONDS_PER_CASE} s per case, median shown`,
);

const now = () => Math.floor(Date.now() / 1000);
let replayStore = new MemoryReplayStore();

/**
 * B2's route: the server's node-auth middleware in front of a handler that
 * reads the body and answers small JSON, with no database write, called in
 * process (`app.request`), so the figure is the middleware plus Hono.
 */
function nodeRouteApp(authenticated: boolean) {
  const app = new Hono<AppEnv>();
  if (authenticated) {
    app.use(
      '*',
      nodeAuth(
        { now: Date.now, replayStore: { remember: (...args) => replayStore.remember(...args) } },
        {
          acceptsLeaseToken: (path) => path.endsWith('/events'),
        },
      ),
    );
  }
  app.post('*', async (context) => {
    const body = authenticated ? context.get('rawBody') : await context.req.text();
    return context.json({ data: { inserted: body.length > 0 ? 1 : 0 } });
  });
  return app;
}
const signedApp = nodeRouteApp(true);
const openApp = nodeRouteApp(false);
const LEASE_TOKEN = randomBytes(32).toString('base64url');
const routeRequest = (
  app: Hono<AppEnv>,
  body: Uint8Array | string,
  headers: Record<string, string>,
) => app.request(PATH, { method: 'POST', body: body as BodyInit, headers });
const cases = {
  'noble schnorr.verify (raw)': (index: number) => {
    const sample = raw[index % raw.length]!;
    return schnorr.verify(sample.signature, sample.messageHash, sample.publicKey);
  },
  'tiny-secp256k1 verifySchnorr (raw)': (index: number) => {
    const sample = raw[index % raw.length]!;
    return verifySchnorr(sample.messageHash, sample.publicKey, sample.signature);
  },
  '@infernet/auth schnorrVerify': (index: number) => {
    const sample = raw[index % raw.length]!;
    return schnorrVerify(sample.signature, sample.messageHash, sample.publicKey);
  },
  'verifyRequest (no replay store)': (index: number) => {
    const sample = signed[index % signed.length]!;
    return verifyRequest({ header: sample.header, request: sample.request, now: now() });
  },
  'verifyRequest + MemoryReplayStore': (index: number) => {
    // A fresh store per pass over the samples, so every nonce is new to it.
    if (index % signed.length === 0) replayStore = new MemoryReplayStore();
    const sample = signed[index % signed.length]!;
    return verifyRequest({
      header: sample.header,
      request: sample.request,
      now: now(),
      replayStore,
    });
  },
  'signed request through node auth (B2)': async (index: number) => {
    if (index % signed.length === 0) replayStore = new MemoryReplayStore();
    const sample = signed[index % signed.length]!;
    const response = await routeRequest(signedApp, sample.request.body, {
      [AUTH_HEADER_NAME]: sample.header,
    });
    if (response.status !== 200) throw new Error(`signed request answered ${response.status}`);
  },
  'lease-token request through node auth': async (index: number) => {
    const response = await routeRequest(signedApp, bodies[index % bodies.length]!, {
      [LEASE_HEADER_NAME]: LEASE_TOKEN,
    });
    if (response.status !== 200) throw new Error(`lease request answered ${response.status}`);
  },
  'same route, no authentication': async (index: number) => {
    const response = await routeRequest(openApp, bodies[index % bodies.length]!, {});
    if (response.status !== 200) throw new Error(`open request answered ${response.status}`);
  },
  'noble schnorr.sign (raw)': (index: number) => {
    const sample = raw[index % raw.length]!;
    return schnorr.sign(sample.messageHash, sample.privateKey, randomBytes(32));
  },
  'tiny-secp256k1 signSchnorr (raw)': (index: number) => {
    const sample = raw[index % raw.length]!;
    return signSchnorr(sample.messageHash, sample.privateKey, randomBytes(32));
  },
  'noble getPublicKey (raw)': (index: number) =>
    publicKeyFromPrivateKey(keys[index % keys.length]!.privateKey),
  signRequest: (index: number) =>
    signRequest({
      method: 'POST',
      path: PATH,
      body: bodies[index % bodies.length]!,
      privateKey: keys[index % keys.length]!.privateKey,
      createdAt: now(),
    }),
} satisfies Record<string, (index: number) => unknown>;
type CaseName = keyof typeof cases;

// Warm-up: noble builds its precomputed tables on first use; the JIT settles.
for (const operation of Object.values(cases)) await throughput(0.2, operation);

const rounds = new Map<CaseName, number[]>();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, operation] of Object.entries(cases) as [
    CaseName,
    (index: number) => unknown,
  ][]) {
    const rates = rounds.get(name) ?? [];
    rates.push(await throughput(SECONDS_PER_CASE, operation));
    rounds.set(name, rates);
  }
}
const rate = (name: CaseName) => median(rounds.get(name)!);
const spread = (name: CaseName) => {
  const values = rounds.get(name)!;
  return `rounds ${values.map((value) => Math.round(value).toLocaleString('en-US')).join(' / ')}; ${(1e6 / rate(name)).toFixed(0)} µs each`;
};

printHeading('verification (server side)');
for (const name of [
  'noble schnorr.verify (raw)',
  'tiny-secp256k1 verifySchnorr (raw)',
  '@infernet/auth schnorrVerify',
  'verifyRequest (no replay store)',
  'verifyRequest + MemoryReplayStore',
] as const) {
  printRate(name, rate(name), spread(name));
}
const backendIsWasm =
  Math.abs(
    Math.log(rate('@infernet/auth schnorrVerify') / rate('tiny-secp256k1 verifySchnorr (raw)')),
  ) < Math.abs(Math.log(rate('@infernet/auth schnorrVerify') / rate('noble schnorr.verify (raw)')));
console.log(
  `backend behind schnorrVerify (#schnorr-backend, by speed): ${backendIsWasm ? 'libsecp256k1 WASM' : 'noble (pure JS)'}`,
);

printHeading('authenticated requests (server side, in-process Hono app, no database write)');
for (const name of [
  'same route, no authentication',
  'lease-token request through node auth',
  'signed request through node auth (B2)',
] as const) {
  printRate(name, rate(name), spread(name));
}
const signedOverhead =
  1 - rate('signed request through node auth (B2)') / rate('same route, no authentication');
console.log(
  `auth overhead of a signed request: ${(signedOverhead * 100).toFixed(0)}% of the route's time`,
);

printHeading('signing (node side)');
for (const name of [
  'noble getPublicKey (raw)',
  'noble schnorr.sign (raw)',
  'tiny-secp256k1 signSchnorr (raw)',
  'signRequest',
] as const) {
  printRate(name, rate(name), spread(name));
}
// In Node, signRequest = digest + WASM sign (libsecp256k1) + one WASM verify of its
// own output; the public key comes from a cache after the first call per key.
const signMicroseconds = 1e6 / rate('signRequest');
const parts = {
  'WASM sign (libsecp256k1 signSchnorr)': 1e6 / rate('tiny-secp256k1 signSchnorr (raw)'),
  'WASM verify of its own output (fault guard)': 1e6 / rate('@infernet/auth schnorrVerify'),
};
const accounted = Object.values(parts).reduce((total, value) => total + value, 0);
console.log(`signRequest costs ${signMicroseconds.toFixed(0)} µs:`);
for (const [part, microseconds] of Object.entries(parts)) {
  console.log(`  ${part.padEnd(60)} ${microseconds.toFixed(0).padStart(6)} µs`);
}
console.log(
  `  ${'rest (hex, sha256, nonce, header encode/parse)'.padEnd(60)} ${(signMicroseconds - accounted).toFixed(0).padStart(6)} µs`,
);

printHeading('goals');
printGoal(
  `verifyRequest ≥ ${GOAL.verificationsPerSecond.toLocaleString('en-US')}/s on one core (measured ${Math.round(rate('verifyRequest (no replay store)')).toLocaleString('en-US')}/s)`,
  rate('verifyRequest (no replay store)') >= GOAL.verificationsPerSecond,
);
printGoal(
  `signed requests through node auth ≥ ${GOAL.signedRequestsPerSecond.toLocaleString('en-US')}/s on one core (measured ${Math.round(rate('signed request through node auth (B2)')).toLocaleString('en-US')}/s)`,
  rate('signed request through node auth (B2)') >= GOAL.signedRequestsPerSecond,
);
printGoal(
  `lease-token requests (B2's session requests) ≥ ${GOAL.leaseTokenRequestsPerSecond.toLocaleString('en-US')}/s on one core (measured ${Math.round(rate('lease-token request through node auth')).toLocaleString('en-US')}/s)`,
  rate('lease-token request through node auth') >= GOAL.leaseTokenRequestsPerSecond,
);
printRatio(
  'verifyRequest / raw noble schnorr.verify (pure-JS baseline)',
  rate('verifyRequest (no replay store)') / rate('noble schnorr.verify (raw)'),
);
printRatio(
  'verifyRequest / raw tiny-secp256k1 verifySchnorr (B1 asks ≥ 0.9)',
  rate('verifyRequest (no replay store)') / rate('tiny-secp256k1 verifySchnorr (raw)'),
);
printRatio(
  'signRequest / raw noble schnorr.sign (pure-JS baseline)',
  rate('signRequest') / rate('noble schnorr.sign (raw)'),
);
printRatio(
  'signRequest / raw tiny-secp256k1 signSchnorr (what a WASM signer could reach)',
  rate('signRequest') / rate('tiny-secp256k1 signSchnorr (raw)'),
);
