import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@infernet/auth';
import {
  createTestApp,
  pollJobs,
  registerNode,
  submitChat,
  type PolledJob,
  type TestApp,
} from '../testing';

let server: TestApp;
beforeEach(async () => {
  server = await createTestApp();
});
afterEach(async () => {
  await server.close();
});

const MODEL = 'batches-model';

type ClaimedJob = PolledJob & { lease_token: string };

/** Submits `count` chats and claims them all with `key`. */
async function submitAndClaim(
  key: ReturnType<typeof generateKeyPair>,
  count: number,
): Promise<ClaimedJob[]> {
  for (let index = 0; index < count; index += 1) await submitChat(server.app, MODEL, `q${index}`);
  const { jobs } = await pollJobs(server.app, key, { limit: count, wait: 0 });
  expect(jobs).toHaveLength(count);
  return jobs as ClaimedJob[];
}

function postBatches(batches: object[]) {
  return server.app.request('/api/v1/node/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ batches }),
  });
}

const batchOf = (
  job: ClaimedJob,
  number: number,
  texts: string[],
  leaseToken = job.lease_token,
) => ({
  job_id: job.id,
  lease_token: leaseToken,
  fencing_token: job.fencing_token,
  batch: number,
  events: texts.map((text) => ({ event_type: 'token', data: { text } })),
});

interface Results {
  data: { results: { job_id: string; inserted?: number; error?: { code: string } }[] };
}

async function storedTexts(jobId: string): Promise<unknown[]> {
  return (await server.db.events.listAfter(jobId, 0, 50)).map((event) => event.data.text);
}

describe('POST /api/v1/node/events (several jobs per post)', () => {
  it('stores each job’s batch under its own lease token, in one request', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'batches-node', models: [MODEL] });
    const [first, second] = await submitAndClaim(key, 2);
    const response = await postBatches([
      batchOf(first!, 1, ['Hel', 'lo']),
      batchOf(second!, 1, ['Bon', 'jour']),
    ]);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Results).data.results).toEqual([
      { job_id: first!.id, inserted: 2 },
      { job_id: second!.id, inserted: 2 },
    ]);
    expect(await storedTexts(first!.id)).toEqual(['Hel', 'lo']);
    expect(await storedTexts(second!.id)).toEqual(['Bon', 'jour']);
    // The first stored event marks each job running.
    for (const job of [first!, second!]) {
      expect((await server.db.jobs.findById(job.id))?.status).toBe('running');
    }
  });

  it('refuses one job’s batch without touching the others', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'batches-node', models: [MODEL] });
    const [held, cancelled, forged] = await submitAndClaim(key, 3);
    await server.db.jobs.cancel(cancelled!.id, 'Cancelled by the consumer.');

    const response = await postBatches([
      batchOf(held!, 1, ['kept']),
      batchOf(cancelled!, 1, ['late']),
      batchOf(forged!, 1, ['forged'], 'A'.repeat(43)),
    ]);
    expect(response.status).toBe(200);
    const results = ((await response.json()) as Results).data.results;
    expect(results.map((result) => result.error?.code ?? result.inserted)).toEqual([
      1,
      'JOB_CANCELLED',
      'FORBIDDEN',
    ]);
    expect(await storedTexts(held!.id)).toEqual(['kept']);
    expect(await storedTexts(forged!.id)).toEqual([]);
  });

  it('acknowledges a re-sent batch without storing it twice', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'batches-node', models: [MODEL] });
    const [job] = await submitAndClaim(key, 1);
    const first = await postBatches([batchOf(job!, 1, ['once'])]);
    expect(((await first.json()) as Results).data.results[0]).toEqual({
      job_id: job!.id,
      inserted: 1,
    });
    const again = await postBatches([batchOf(job!, 1, ['once'])]);
    expect(((await again.json()) as Results).data.results[0]).toEqual({
      job_id: job!.id,
      inserted: 0,
    });
    expect(await storedTexts(job!.id)).toEqual(['once']);
  });

  it('refuses a body naming a job twice, or a batch without its lease token, and stores nothing', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'batches-node', models: [MODEL] });
    const [job] = await submitAndClaim(key, 1);
    const twice = await postBatches([batchOf(job!, 1, ['a']), batchOf(job!, 2, ['b'])]);
    expect(twice.status).toBe(400);
    expect(JSON.stringify(await twice.json())).toContain('Each job may appear once per post');
    const { lease_token: _omitted, ...withoutToken } = batchOf(job!, 1, ['c']);
    const unauthenticated = await postBatches([withoutToken]);
    expect(unauthenticated.status).toBe(400);
    expect(await storedTexts(job!.id)).toEqual([]);
  });
});
