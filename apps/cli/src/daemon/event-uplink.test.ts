import { describe, expect, it } from 'vitest';
import type { JobEventBatch } from '@infernet/protocol';
import {
  ApiError,
  ConnectionError,
  UserAbortError,
  type JobEventBatchOutcome,
  type PostEventsInput,
} from '@infernetprotocol/sdk/node';
import { EventUplink } from './event-uplink';
import { settle } from './manual-clock';

const body = (text: string, batch = 1): PostEventsInput => ({
  events: [{ event_type: 'token', data: { text } }],
  fencing_token: 3,
  batch,
});

function apiError(status: number, code: string): ApiError {
  return ApiError.generate({
    status,
    code,
    message: code,
    requestId: null,
    headers: new Headers(),
  });
}

/** A client whose shared posts stay open until the test answers them. */
function fakeClient() {
  const posts: {
    batches: JobEventBatch[];
    answer: (outcomes?: JobEventBatchOutcome[]) => void;
    fail: (error: unknown) => void;
  }[] = [];
  const single: { jobId: string; leaseToken: string | undefined }[] = [];
  const client = {
    postEventBatches(batches: JobEventBatch[]) {
      return new Promise<JobEventBatchOutcome[]>((resolve, reject) => {
        posts.push({
          batches,
          answer: (outcomes) =>
            resolve(
              outcomes ??
                batches.map((batch) => ({
                  jobId: batch.job_id,
                  ok: true,
                  inserted: batch.events.length,
                })),
            ),
          fail: reject,
        });
      });
    },
    async postEvents(jobId: string, input: PostEventsInput, options: { leaseToken?: string } = {}) {
      single.push({ jobId, leaseToken: options.leaseToken });
      return { inserted: input.events.length };
    },
  };
  return { client, posts, single };
}

const jobIds = (batches: JobEventBatch[]) => batches.map((batch) => batch.job_id);

describe('EventUplink', () => {
  it('posts at the end of the turn while idle, and merges what arrives while its posts are in flight', async () => {
    const { client, posts } = fakeClient();
    const uplink = new EventUplink({ client, maxInFlight: 1 });
    const first = uplink.send('job-a', body('a1'), { leaseToken: 'lease-a' });
    expect(posts).toHaveLength(0);
    await settle();
    expect(posts.map((post) => jobIds(post.batches))).toEqual([['job-a']]);
    const second = uplink.send('job-b', body('b1'), { leaseToken: 'lease-b' });
    const third = uplink.send('job-c', body('c1'), { leaseToken: 'lease-c' });
    expect(posts).toHaveLength(1);
    posts[0]!.answer();
    await first;
    await settle();
    expect(posts.map((post) => jobIds(post.batches))).toEqual([['job-a'], ['job-b', 'job-c']]);
    expect(posts[1]!.batches[0]).toEqual({
      job_id: 'job-b',
      lease_token: 'lease-b',
      ...body('b1'),
    });
    posts[1]!.answer();
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('sends the batches handed over in one turn in one post, even with posts to spare', async () => {
    const { client, posts } = fakeClient();
    const uplink = new EventUplink({ client, maxInFlight: 2 });
    const sends = ['job-a', 'job-b', 'job-c'].map((jobId) =>
      uplink.send(jobId, body(jobId), { leaseToken: `lease-${jobId}` }),
    );
    await settle();
    expect(posts.map((post) => jobIds(post.batches))).toEqual([['job-a', 'job-b', 'job-c']]);
    posts[0]!.answer();
    await expect(Promise.all(sends)).resolves.toEqual([undefined, undefined, undefined]);
  });

  it('sends an urgent batch at the end of its turn with every post in flight, in a post of its own', async () => {
    const { client, posts } = fakeClient();
    const uplink = new EventUplink({ client, maxInFlight: 1 });
    const first = uplink.send('job-a', body('a1'), { leaseToken: 'lease-a' });
    await settle();
    const waiting = uplink.send('job-b', body('b2', 2), { leaseToken: 'lease-b' });
    await settle();
    expect(posts).toHaveLength(1);
    const firstToken = uplink.send('job-c', body('c1'), { leaseToken: 'lease-c', urgent: true });
    await settle();
    expect(posts.map((post) => jobIds(post.batches))).toEqual([['job-a'], ['job-c']]);
    posts[1]!.answer();
    await firstToken;
    // Both posts count against the limit: the waiting batch goes once one is answered.
    await settle();
    expect(posts).toHaveLength(2);
    posts[0]!.answer();
    await first;
    await settle();
    expect(posts.map((post) => jobIds(post.batches))).toEqual([['job-a'], ['job-c'], ['job-b']]);
    posts[2]!.answer();
    await waiting;
  });

  it('refuses only the job the control plane refused, with the error a single post raises', async () => {
    const { client, posts } = fakeClient();
    const uplink = new EventUplink({ client });
    const kept = uplink.send('job-a', body('a'), { leaseToken: 'lease-a' });
    const lost = uplink.send('job-b', body('b'), { leaseToken: 'lease-b' });
    const refusal = apiError(409, 'LEASE_LOST');
    await settle();
    expect(posts).toHaveLength(1);
    posts[0]!.answer([
      { jobId: 'job-a', ok: true, inserted: 1 },
      { jobId: 'job-b', ok: false, error: refusal },
    ]);
    await expect(kept).resolves.toBeUndefined();
    await expect(lost).rejects.toBe(refusal);
  });

  it('fails every batch of a post that failed, so each job re-sends its own', async () => {
    const { client, posts } = fakeClient();
    const uplink = new EventUplink({ client, maxInFlight: 1 });
    const first = uplink.send('job-a', body('a'), { leaseToken: 'lease-a' });
    const down = new ConnectionError('Connection error: ECONNREFUSED.');
    await settle();
    posts[0]!.fail(down);
    await expect(first).rejects.toBe(down);
    // The uplink keeps working once the control plane is back.
    const retry = uplink.send('job-a', body('a'), { leaseToken: 'lease-a' });
    await settle();
    posts[1]!.answer();
    await expect(retry).resolves.toBeUndefined();
  });

  it('goes one job at a time against a control plane without the shared route', async () => {
    const { client, posts, single } = fakeClient();
    const uplink = new EventUplink({ client });
    const first = uplink.send('job-a', body('a'), { leaseToken: 'lease-a' });
    await settle();
    posts[0]!.fail(apiError(404, 'NOT_FOUND'));
    await expect(first).resolves.toBeUndefined();
    await uplink.send('job-b', body('b'), { leaseToken: 'lease-b' });
    expect(single).toEqual([
      { jobId: 'job-a', leaseToken: 'lease-a' },
      { jobId: 'job-b', leaseToken: 'lease-b' },
    ]);
    expect(posts).toHaveLength(1);
  });

  it('sends a job without a lease token on its own, signed', async () => {
    const { client, posts, single } = fakeClient();
    await new EventUplink({ client }).send('job-a', body('a'));
    expect(single).toEqual([{ jobId: 'job-a', leaseToken: undefined }]);
    expect(posts).toEqual([]);
  });

  it('drops a waiting batch whose job stopped, and never sends it', async () => {
    const { client, posts } = fakeClient();
    const uplink = new EventUplink({ client, maxInFlight: 1 });
    const busy = uplink.send('job-a', body('a'), { leaseToken: 'lease-a' });
    await settle();
    const stop = new AbortController();
    const dropped = uplink.send('job-b', body('b'), { leaseToken: 'lease-b', signal: stop.signal });
    const waiting = uplink.send('job-c', body('c'), { leaseToken: 'lease-c' });
    stop.abort();
    await expect(dropped).rejects.toBeInstanceOf(UserAbortError);
    posts[0]!.answer();
    await busy;
    await settle();
    expect(posts.map((post) => jobIds(post.batches))).toEqual([['job-a'], ['job-c']]);
    posts[1]!.answer();
    await waiting;
  });
});
