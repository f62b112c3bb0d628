import { randomBytes } from 'node:crypto';
import { Kysely } from 'kysely';
import { EMPTY_NODE_SPECS, type ChatInputSpec, type NodeSpecs } from '@infernet/protocol';
import type { Database, JobRecord, ProviderRecord, RegisterProviderInput } from './types';

/** Builders shared by this package's tests; not exported from the package. */

export function randomHex(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

export const CHAT_INPUT: ChatInputSpec = {
  messages: [{ role: 'user', content: 'Say hello.' }],
  max_tokens: 16,
  temperature: 0,
};

export function specsServing(...models: string[]): NodeSpecs {
  return { ...EMPTY_NODE_SPECS, served_models: models };
}

export function providerInput(
  overrides: Partial<RegisterProviderInput> = {},
): RegisterProviderInput {
  return {
    publicKey: randomHex(),
    nodeId: `node-${randomHex(6)}`,
    role: 'provider',
    name: 'test node',
    status: 'available',
    address: null,
    port: null,
    gpuModel: null,
    price: null,
    specs: EMPTY_NODE_SPECS,
    ...overrides,
  };
}

export async function registerProvider(
  db: Database,
  overrides: Partial<RegisterProviderInput> = {},
): Promise<ProviderRecord> {
  const result = await db.providers.register(providerInput(overrides));
  if (!result.ok) throw new Error(`register failed: ${result.reason}`);
  return result.provider;
}

export async function createJob(db: Database, model = 'test-model'): Promise<JobRecord> {
  const job = await db.jobs.createChat({
    model,
    title: 'test job',
    input: CHAT_INPUT,
    streamTokenHash: randomHex(),
  });
  if (!job) throw new Error('createChat without a capacity check returned no job');
  return job;
}

/** Creates a job and has `provider` claim it; fails the test if the claim takes anything else. */
export async function claimedJob(
  db: Database,
  provider: ProviderRecord,
  model = `model-${randomHex(4)}`,
): Promise<JobRecord> {
  const job = await createJob(db, model);
  const claimed = await db.jobs.claim({
    providerId: provider.id,
    models: [model],
    limit: 1,
    leaseSeconds: 30,
  });
  if (claimed.length !== 1 || claimed[0]?.id !== job.id) throw new Error('claim missed the job');
  return claimed[0];
}

/** Resolves on the first value a subscription delivers that `accept` takes, or rejects after `timeoutMs`. */
export function nextValue(
  subscribe: (listener: (value: string) => void) => () => void,
  accept: (value: string) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('no notification arrived'));
    }, timeoutMs);
    const unsubscribe = subscribe((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

/** Inserts a bare account row for each id, named after it and mailed at `<id>@example.com`. */
export async function insertAccounts(db: Database, ...ids: string[]): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped tables in a test.
  const kysely = new Kysely<any>({ dialect: db.kyselyDialect });
  try {
    await kysely
      .insertInto('accounts')
      .values(ids.map((id) => ({ id, name: id, email: `${id}@example.com` })))
      .execute();
  } finally {
    await kysely.destroy();
  }
}

/** The texts `completedEmbedding` embeds unless told otherwise, and the vectors it returns for them. */
export const EMBEDDING_INPUT = { input: ['a secret text', 'another secret'] };
export const EMBEDDING_VECTORS = ['AACAPwAAAEA=', 'AABAQAAAgEA='];

/** Creates an embedding job for model `m`, has the provider claim it and complete it reporting `promptTokens`. */
export async function completedEmbedding(
  db: Database,
  providerId: string,
  promptTokens: number,
  {
    input = EMBEDDING_INPUT,
    embeddings = EMBEDDING_VECTORS,
    ...pricing
  }: {
    input?: { input: string[] };
    embeddings?: string[];
    pricePerMillionTokens?: string;
    modelPrices?: Record<string, string>;
  } = {},
): Promise<JobRecord> {
  const job = await db.jobs.createEmbedding({
    model: 'm',
    title: 'embedding',
    input,
    streamTokenHash: randomHex(),
  });
  const [held] = await db.jobs.claim({ providerId, models: ['m'], limit: 1, leaseSeconds: 30 });
  await db.jobs.complete({
    jobId: job!.id,
    providerId,
    fencingToken: held!.fencingToken,
    status: 'completed',
    result: { embeddings, usage: { prompt_tokens: promptTokens, completion_tokens: 0 } },
    error: null,
    ...pricing,
  });
  return job!;
}
