import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JobEventNotifier } from './job-event-notifier';
import { JOB_EVENTS_CHANNEL, NotificationHub } from './notification-hub';
import type { SqlClient } from './sql-client';

interface SentQuery {
  parameters: readonly unknown[];
  answer: (error?: Error) => void;
}

/** Records the notifier's statements; each one finishes when the test answers it. */
function recordingClient() {
  const sent: SentQuery[] = [];
  const waiting: ((query: SentQuery) => void)[] = [];
  const client = {
    query: (_sql: string, parameters: readonly unknown[] = []) =>
      new Promise<never[]>((resolve, reject) => {
        const query = {
          parameters,
          answer: (error?: Error) => (error ? reject(error) : resolve([])),
        };
        sent.push(query);
        waiting.shift()?.(query);
      }),
  } as unknown as SqlClient;
  const nextQuery = (index: number) =>
    sent[index]
      ? Promise.resolve(sent[index])
      : new Promise<SentQuery>((resolve) => waiting.push(resolve));
  return { client, sent, nextQuery };
}

describe('JobEventNotifier', () => {
  it('wakes local readers at once and tells other copies in one merged statement', async () => {
    const { client, nextQuery } = recordingClient();
    const hub = new NotificationHub();
    const heard: string[] = [];
    hub.onJobEvents((jobId) => heard.push(jobId));
    const notifier = new JobEventNotifier(client, hub, { local: true, crossProcess: true });
    const jobIds = Array.from({ length: 400 }, () => randomUUID());
    for (const jobId of jobIds) notifier.eventsStored(jobId);
    expect(heard).toEqual(jobIds);

    const query = await nextQuery(0);
    const [channel, payloads] = query.parameters as [string, string[]];
    expect(channel).toBe(JOB_EVENTS_CHANNEL);
    // 150 ids per payload, each naming this process so its own listener skips the echo.
    expect(payloads).toHaveLength(3);
    expect(payloads.every((payload) => payload.endsWith(` ${hub.origin}`))).toBe(true);
    expect(payloads.flatMap((payload) => payload.split(' ')[0]!.split(','))).toEqual(jobIds);
    query.answer();
    await notifier.stop();
  });

  it('sends again what a failed statement did not deliver', async () => {
    const { client, nextQuery } = recordingClient();
    const notifier = new JobEventNotifier(client, new NotificationHub(), {
      local: false,
      crossProcess: true,
    });
    const jobId = randomUUID();
    notifier.eventsStored(jobId);
    (await nextQuery(0)).answer(new Error('connection terminated'));
    const retry = await nextQuery(1);
    expect((retry.parameters[1] as string[])[0]).toMatch(new RegExp(`^${jobId} `));
    retry.answer();
    await notifier.stop();
  });

  it('sends nothing across processes for an embedded database', async () => {
    const { client, sent } = recordingClient();
    const hub = new NotificationHub();
    const heard: string[] = [];
    hub.onJobEvents((jobId) => heard.push(jobId));
    const notifier = new JobEventNotifier(client, hub, { local: true, crossProcess: false });
    notifier.eventsStored('job');
    await notifier.stop();
    expect(heard).toEqual(['job']);
    expect(sent).toEqual([]);
  });
});
