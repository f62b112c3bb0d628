import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryReplayStore, publicKeyFromPrivateKey, verifyRequest } from '@infernet/auth';
import { AUTH_HEADER_NAME, DEFAULT_LEASE_SECONDS, type JobStatus } from '@infernet/protocol';

/** Test support only: the node key the fake control plane accepts. */
export const PRIVATE_KEY = '7a638e08fbe541ec8f39ef9b71ad97c470b8f3df5dad53da704500d4e724885a';
export const PUBLIC_KEY = publicKeyFromPrivateKey(PRIVATE_KEY);

export type FakeControlPlane = Awaited<ReturnType<typeof startFakeControlPlane>>;

interface Received {
  path: string;
  body: Record<string, unknown>;
}

/** One job as the fake keeps it: the fields that decide whether a node's call is accepted. */
export interface FakeJob {
  id: string;
  model: string;
  status: JobStatus;
  fencingToken: number;
  /** The token this node's claim carries; `reassign` moves `fencingToken` past it. */
  heldToken: number;
  attempt: number;
  /** Batch numbers already stored for the current claim. */
  batches: Set<number>;
  /** Events stored, across claims, in order. */
  events: { event_type: string; data: Record<string, unknown> }[];
  /** Whether a token event was stored for the current claim, which decides what `release` does. */
  tokenDelivered: boolean;
}

export interface FakeControlPlaneOptions {
  /** Jobs queued at start, by id; defaults to one, `job-1`, for the `demo` model. */
  jobs?: { id: string; model?: string }[];
  /** Stores the next N event batches but answers 503, as when an answer is lost on the way back. */
  loseEventAnswers?: number;
  /** The one deploy token `/api/nodes/link` accepts. */
  deployToken?: string;
}

/** The device code the fake hands out; `interval` 1 s keeps login tests quick. */
export const FAKE_DEVICE_CODE = {
  device_code: 'fake-device-code',
  user_code: 'WXYZ-2345',
  verification_uri: 'http://dashboard.test/device',
  verification_uri_complete: 'http://dashboard.test/device?code=WXYZ-2345',
  expires_in: 600,
  interval: 1,
};
export const FAKE_ACCOUNT_ID = 'account-1';

type Reply = (status: number, body: unknown) => void;

/**
 * The smallest control plane the daemon can run against, keeping the lease
 * contract: it checks every signature (nonces single-use), hands out queued
 * chat jobs with a fencing token that grows with every claim, holds empty
 * polls open like the real long poll, answers `cancel` for `active` jobs the
 * node no longer holds, refuses stale or finished work with 409
 * (LEASE_LOST, JOB_CANCELLED, JOB_STATE_CONFLICT), stores each event batch
 * number once per claim, and takes jobs back with `release`.
 */
export async function startFakeControlPlane(options: FakeControlPlaneOptions = {}) {
  const received: Received[] = [];
  const replayStore = new MemoryReplayStore();
  const jobs = new Map<string, FakeJob>();
  const parkedPolls = new Set<() => void>();
  let lostEventAnswers = options.loseEventAnswers ?? 0;
  let registered: Record<string, unknown> | undefined;
  let device: 'none' | 'pending' | 'approved' | 'denied' = 'none';
  const authorizations: (string | undefined)[] = [];

  function enqueue(id: string, model = 'demo'): void {
    jobs.set(id, {
      id,
      model,
      status: 'queued',
      fencingToken: 0,
      heldToken: 0,
      attempt: 0,
      batches: new Set(),
      events: [],
      tokenDelivered: false,
    });
    for (const wake of [...parkedPolls]) wake();
  }
  for (const job of options.jobs ?? [{ id: 'job-1' }]) enqueue(job.id, job.model);

  function claim(limit: number) {
    const claimed = [...jobs.values()].filter((job) => job.status === 'queued').slice(0, limit);
    for (const job of claimed) {
      job.status = 'assigned';
      job.fencingToken += 1;
      job.heldToken = job.fencingToken;
      job.attempt += 1;
      job.batches = new Set();
      job.tokenDelivered = false;
    }
    return claimed.map(nodeJob);
  }

  /** Why a call about `job` carrying `token` is refused, or undefined when it is accepted. */
  function refusal(job: FakeJob | undefined, token: unknown) {
    if (!job) return { status: 404, code: 'JOB_NOT_FOUND' };
    if (job.status === 'cancelled') return { status: 409, code: 'JOB_CANCELLED' };
    if (job.status === 'completed' || job.status === 'failed') {
      return { status: 409, code: 'JOB_STATE_CONFLICT' };
    }
    if (job.status === 'queued' || token !== job.fencingToken) {
      return { status: 409, code: 'LEASE_LOST' };
    }
    return undefined;
  }

  function handlePoll(body: Record<string, unknown>, response: ServerResponse, reply: Reply) {
    const active = Array.isArray(body.active) ? (body.active as string[]) : [];
    const cancel = active.filter((id) => {
      const job = jobs.get(id);
      return job?.status !== 'assigned' || job.heldToken !== job.fencingToken;
    });
    const limit = typeof body.limit === 'number' ? body.limit : 0;
    const wait = typeof body.wait === 'number' ? body.wait : 0;
    const answer = () => reply(200, { data: { provider_id: 'p1', jobs: claim(limit), cancel } });
    const queued = [...jobs.values()].some((job) => job.status === 'queued');
    if (limit === 0 || wait === 0 || cancel.length > 0 || queued) return answer();
    const wake = () => {
      parkedPolls.delete(wake);
      clearTimeout(timer);
      answer();
    };
    const timer = setTimeout(wake, wait * 1000);
    parkedPolls.add(wake);
    response.on('close', () => {
      parkedPolls.delete(wake);
      clearTimeout(timer);
    });
  }

  function handleJobCall(path: string, body: Record<string, unknown>, reply: Reply): boolean {
    const match = /^\/api\/v1\/node\/jobs\/([^/]+)\/(events|complete|release)$/.exec(path);
    if (!match) return false;
    const id = decodeURIComponent(match[1] ?? '');
    const job = jobs.get(id);
    const refused = refusal(job, body.fencing_token);
    if (refused || !job) {
      const { status, code } = refused ?? { status: 404, code: 'JOB_NOT_FOUND' };
      reply(status, { error: { code, message: `refused: ${code}`, requestId: 'r' } });
      return true;
    }
    if (match[2] === 'events') {
      const batch = body.batch as number;
      const events = body.events as FakeJob['events'];
      let inserted = 0;
      if (!job.batches.has(batch)) {
        job.batches.add(batch);
        job.events.push(...events);
        job.tokenDelivered ||= events.some((event) => event.event_type === 'token');
        inserted = events.length;
      }
      if (lostEventAnswers > 0) {
        lostEventAnswers -= 1;
        reply(503, { error: { code: 'INTERNAL', message: 'answer lost', requestId: 'r' } });
        return true;
      }
      reply(200, { data: { inserted } });
    } else if (match[2] === 'complete') {
      job.status = body.status === 'completed' ? 'completed' : 'failed';
      reply(200, { data: { id, status: job.status } });
    } else {
      job.status = job.tokenDelivered ? 'failed' : 'queued';
      reply(200, { data: { id, status: job.status } });
    }
    return true;
  }

  /** `/api/nodes/link`, `device-code` and `device-token`, as the contract describes them. */
  function handleLinking(
    path: string,
    authorization: string | undefined,
    body: Record<string, unknown>,
    reply: Reply,
  ) {
    const refuse = (status: number, code: string) =>
      reply(status, { error: { code, message: `refused: ${code}`, requestId: 'r' } });
    const link = { data: { id: 'p1', account_id: FAKE_ACCOUNT_ID } };
    if (!registered) return refuse(404, 'NODE_NOT_REGISTERED');
    if (path === '/api/nodes/link') {
      const valid = options.deployToken && authorization === `Bearer ${options.deployToken}`;
      return valid ? reply(200, link) : refuse(401, 'DEPLOY_TOKEN_INVALID');
    }
    if (path === '/api/nodes/device-code') {
      device = 'pending';
      return reply(200, { data: FAKE_DEVICE_CODE });
    }
    if (path === '/api/nodes/device-token') {
      if (body.device_code !== FAKE_DEVICE_CODE.device_code) return refuse(400, 'BAD_REQUEST');
      if (device === 'approved') return reply(200, link);
      if (device === 'denied') return refuse(403, 'DEVICE_CODE_DENIED');
      return refuse(400, 'DEVICE_CODE_PENDING');
    }
    return refuse(404, 'NOT_FOUND');
  }

  const handler = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = request.url ?? '';
    const verdict = await verifyRequest({
      header: request.headers[AUTH_HEADER_NAME] as string | undefined,
      request: { method: request.method ?? '', path, body: raw },
      now: Date.now() / 1000,
      replayStore,
    });
    const reply: Reply = (status, body) => {
      if (response.writableEnded) return;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (!verdict.ok || verdict.publicKey !== PUBLIC_KEY) {
      reply(401, { error: { code: 'AUTH_BAD_SIGNATURE', message: 'bad', requestId: 'r' } });
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    received.push({ path, body });
    if (path === '/api/v1/node/register') {
      registered = body;
      return reply(200, { data: { id: 'p1', node_id: body.node_id } });
    }
    if (path === '/api/v1/node/me') {
      return reply(200, { data: { row: registered ? nodeRow(registered) : null } });
    }
    if (path === '/api/v1/node/heartbeat') return reply(200, { data: { id: 'p1' } });
    if (path.startsWith('/api/nodes/')) {
      authorizations.push(request.headers.authorization);
      return handleLinking(path, request.headers.authorization, body, reply);
    }
    if (path === '/api/v1/node/jobs/poll') return handlePoll(body, response, reply);
    if (handleJobCall(path, body, reply)) return;
    reply(404, { error: { code: 'NOT_FOUND', message: path, requestId: 'r' } });
  };
  const server: Server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url,
    received,
    close,
    enqueue,
    job: (id: string) => jobs.get(id),
    /** The `Authorization` header of each `/api/nodes/*` call, to check where a token went. */
    authorizations,
    /** The operator decides on the pending device sign-in. */
    decideDevice(approve: boolean) {
      device = approve ? 'approved' : 'denied';
    },
    get deviceState() {
      return device;
    },
    /** The consumer cancels: the node's next call about the job is refused, its next poll lists it. */
    cancel(id: string) {
      const job = jobs.get(id);
      if (job) job.status = 'cancelled';
    },
    /** The lease runs out and another node claims the job: the node's fencing token goes stale. */
    reassign(id: string) {
      const job = jobs.get(id);
      if (job) job.fencingToken += 1;
    },
  };
}

function nodeJob(job: FakeJob) {
  return {
    id: job.id,
    title: `chat · ${job.model}`,
    type: 'chat',
    status: 'assigned',
    payment_offer: 0,
    payment_coin: null,
    model_name: job.model,
    input_spec: {
      messages: [{ role: 'user', content: 'a private question' }],
      max_tokens: 64,
      temperature: 0.5,
    },
    created_at: new Date().toISOString(),
    fencing_token: job.fencingToken,
    lease_expires_at: new Date(Date.now() + DEFAULT_LEASE_SECONDS * 1000).toISOString(),
    attempt: job.attempt,
  };
}

function nodeRow(registered: Record<string, unknown>) {
  return {
    id: 'p1',
    node_id: registered.node_id,
    public_key: PUBLIC_KEY,
    role: 'provider',
    name: registered.name ?? null,
    status: 'available',
    address: null,
    port: null,
    gpu_model: null,
    price: null,
    specs: registered.specs,
    last_seen: new Date().toISOString(),
    created_at: new Date().toISOString(),
  };
}
