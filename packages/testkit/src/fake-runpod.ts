import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { isRecord } from './fake-engine';
import { sendJson, startHttpServer } from './http-server';

/** The only key the fake accepts; any other Bearer value gets RunPod's 401. */
export const FAKE_RUNPOD_API_KEY = 'rpa_TESTONLY0FAKE0RUNPOD0KEY0123456789ABCDEFGH';

type Cloud = 'SECURE' | 'COMMUNITY';
type Availability = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';

/** A GPU type as RunPod's catalog lists it, with the fake's stock per cloud. */
export interface FakeRunPodGpu {
  id: string;
  name: string;
  memory: number;
  secure: boolean;
  community: boolean;
  price: { secure: number; community: number };
  stock: Record<Cloud, Availability>;
}

export const DEFAULT_FAKE_RUNPOD_GPUS: readonly FakeRunPodGpu[] = [
  {
    id: 'NVIDIA GeForce RTX 4090',
    name: 'RTX 4090',
    memory: 24,
    secure: true,
    community: true,
    price: { secure: 0.69, community: 0.34 },
    stock: { SECURE: 'HIGH', COMMUNITY: 'LOW' },
  },
  {
    // Offered on the secure cloud only, and sold out: the catalog still quotes both prices.
    id: 'NVIDIA H100 80GB HBM3',
    name: 'H100 SXM',
    memory: 80,
    secure: true,
    community: false,
    price: { secure: 2.69, community: 2.69 },
    stock: { SECURE: 'NONE', COMMUNITY: 'NONE' },
  },
  {
    id: 'NVIDIA RTX A5000',
    name: 'RTX A5000',
    memory: 24,
    secure: false,
    community: true,
    price: { secure: 0.27, community: 0.16 },
    stock: { SECURE: 'NONE', COMMUNITY: 'MEDIUM' },
  },
];

/** One request as the fake received it, so tests can show exactly what was sent. */
export interface FakeRunPodRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeRunPodPod {
  id: string;
  name: string;
  image: string;
  cloud: Cloud;
  gpu: { id: string; count: number };
  env: Record<string, string>;
  disk: number;
}

export interface FakeRunPodOptions {
  /** Default {@link FAKE_RUNPOD_API_KEY}. */
  apiKey?: string;
  gpus?: readonly FakeRunPodGpu[];
}

export interface FakeRunPodServer {
  /** Root URL without a trailing slash: what takes the place of `https://api.runpod.io`. */
  readonly url: string;
  readonly apiKey: string;
  readonly requests: FakeRunPodRequest[];
  /** Pods created so far. */
  readonly pods: FakeRunPodPod[];
  /** Answers every request with this problem (or, with no argument, stops), as an outage would. */
  setFailure(failure?: { status: number; detail: string }): void;
  close(): Promise<void>;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** RunPod's errors are RFC 9457 problem documents. */
function sendProblem(response: ServerResponse, status: number, detail: string): void {
  const text = JSON.stringify({ title: TITLES[status] ?? 'Error', status, detail });
  response.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** `CreatePodRequest`'s fields: RunPod rejects any other by name. */
const CREATE_POD_FIELDS = new Set([
  'args',
  'disk',
  'env',
  'image',
  'ports',
  'registry',
  'name',
  'cloud',
  'cpu',
  'dataCenterIds',
  'globalNetworking',
  'gpu',
  'mounts',
  'startJupyter',
  'startSsh',
  'templateId',
]);

/** Why a create-pod body is refused (status and detail), or undefined when it is acceptable. */
function createPodProblem(
  body: unknown,
  gpus: readonly FakeRunPodGpu[],
): [number, string] | undefined {
  if (!isRecord(body)) return [400, 'request body must be a JSON object'];
  const unknown = Object.keys(body).find((field) => !CREATE_POD_FIELDS.has(field));
  if (unknown) return [422, `unknown field "${unknown}"`];
  if (typeof body.name !== 'string' || body.name === '') return [422, 'name is required'];
  if (typeof body.image !== 'string' || body.image === '') return [422, 'image is required'];
  if ((body.gpu === undefined) === (body.cpu === undefined)) {
    return [400, 'exactly one of gpu or cpu must be set'];
  }
  const cloud = body.cloud ?? 'SECURE';
  if (cloud !== 'SECURE' && cloud !== 'COMMUNITY')
    return [422, 'cloud must be SECURE or COMMUNITY'];
  if (!isRecord(body.gpu) || typeof body.gpu.id !== 'string') return [422, 'gpu.id is required'];
  const count = body.gpu.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    return [422, 'gpu.count must be an integer of at least 1'];
  }
  const gpu = gpus.find((candidate) => candidate.id === (body.gpu as { id: string }).id);
  if (!gpu) return [400, `unknown GPU type "${body.gpu.id}"`];
  if (!(cloud === 'SECURE' ? gpu.secure : gpu.community)) {
    return [400, `${gpu.id} is not offered on the ${cloud} cloud`];
  }
  const env = body.env ?? {};
  if (!isRecord(env) || Object.values(env).some((value) => typeof value !== 'string')) {
    return [422, 'env must be an object of strings'];
  }
  if (body.disk !== undefined && (typeof body.disk !== 'number' || body.disk < 1)) {
    return [422, 'disk must be at least 1'];
  }
  return undefined;
}

/**
 * Starts a stand-in for RunPod's REST API v2 (`https://api.runpod.io`) so
 * tests never rent a real GPU: `GET /v2/catalog/gpus` (with
 * `include=AVAILABILITY&product=POD&cloud=…` stock) and `POST /v2/pods`,
 * every request checked for `Authorization: Bearer <apiKey>`, errors as
 * problem documents. It records each request it received, headers and body
 * included, so a test can show the exact request that was sent.
 *
 * @example
 * const runpod = await startFakeRunPod();
 * const provider = createRunPodProvider({ apiUrl: runpod.url });
 * await provider.listGpuTypes(runpod.apiKey);
 * await runpod.close();
 */
export async function startFakeRunPod(options: FakeRunPodOptions = {}): Promise<FakeRunPodServer> {
  const apiKey = options.apiKey ?? FAKE_RUNPOD_API_KEY;
  const gpus = options.gpus ?? DEFAULT_FAKE_RUNPOD_GPUS;
  const requests: FakeRunPodRequest[] = [];
  const pods: FakeRunPodPod[] = [];
  let failure: { status: number; detail: string } | undefined;

  const server = await startHttpServer(async (request, response, call) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    requests.push({
      method: call.method,
      path: call.path,
      query,
      headers: call.headers,
      body: call.body,
    });
    if (failure) return sendProblem(response, failure.status, failure.detail);
    const authorization = request.headers.authorization;
    if (!authorization?.startsWith('Bearer ')) {
      return sendProblem(response, 401, 'missing bearer token');
    }
    if (authorization !== `Bearer ${apiKey}`) {
      return sendProblem(response, 401, 'invalid bearer token');
    }
    const route = `${call.method} ${call.path}`;
    switch (route) {
      case 'GET /v2/catalog/gpus':
        return listGpus(response, query);
      case 'POST /v2/pods':
        return createPod(response, call.body);
      default:
        return sendProblem(response, 404, 'resource not found');
    }
  });

  function listGpus(response: ServerResponse, query: Record<string, string>): void {
    const withStock = query.include === 'AVAILABILITY';
    if (withStock !== (query.product !== undefined)) {
      return sendProblem(
        response,
        400,
        'product is required with include=AVAILABILITY, and valid only with it',
      );
    }
    const cloud = query.cloud ?? 'SECURE';
    if (cloud !== 'SECURE' && cloud !== 'COMMUNITY') {
      return sendProblem(response, 422, 'cloud must be SECURE or COMMUNITY');
    }
    sendJson(response, 200, {
      gpus: gpus.map(({ stock, ...gpu }) => ({
        ...gpu,
        pool: null,
        manufacturer: gpu.id.startsWith('AMD') ? 'AMD' : 'NVIDIA',
        maxCount: { secure: gpu.secure ? 8 : 0, community: gpu.community ? 4 : 0 },
        ...(withStock ? { availability: stock[cloud] } : {}),
      })),
    });
  }

  function createPod(response: ServerResponse, body: unknown): void {
    const problem = createPodProblem(body, gpus);
    if (problem) return sendProblem(response, problem[0], problem[1]);
    const input = body as Record<string, unknown> & { gpu: { id: string; count?: number } };
    const pod: FakeRunPodPod = {
      id: `fakepod${String(pods.length + 1).padStart(6, '0')}`,
      name: input.name as string,
      image: input.image as string,
      cloud: (input.cloud as Cloud | undefined) ?? 'SECURE',
      gpu: { id: input.gpu.id, count: input.gpu.count ?? 1 },
      env: (input.env as Record<string, string> | undefined) ?? {},
      disk: (input.disk as number | undefined) ?? 20,
    };
    pods.push(pod);
    sendJson(response, 201, {
      ...pod,
      status: 'PROVISIONING',
      actions: ['stop', 'terminate'],
      args: '',
      mounts: {},
      ports: [],
      registry: null,
      dataCenterId: null,
      cudaVersion: null,
      ssh: { proxy: null, direct: null },
      template: null,
      cost: 0,
      locked: false,
      runtime: null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      globalNetworking: { enabled: false },
    });
  }

  return {
    url: server.url,
    apiKey,
    requests,
    pods,
    setFailure(next) {
      failure = next;
    },
    close: () => server.close(),
  };
}
