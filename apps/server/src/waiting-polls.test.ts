import type { JobRecord } from '@infernet/db';
import { describe, expect, it } from 'vitest';
import { WaitingPolls } from './waiting-polls';

const job = { id: 'job-1' } as JobRecord;

describe('WaitingPolls', () => {
  it('hands a model to the longest-waiting poll that serves it, once', async () => {
    const polls = new WaitingPolls();
    const woken: string[] = [];
    const other = polls.park('other-model-node', ['mistral'], () => woken.push('other'));
    const first = polls.park('first', ['llama3', 'mistral'], () => woken.push('first'));
    const second = polls.park('second', ['llama3'], () => woken.push('second'));

    const taken = polls.take('llama3');
    expect(taken?.providerId).toBe('first');
    expect(woken).toEqual(['first']);
    // Taken polls cannot be taken again; the next submit gets the next poll.
    expect(polls.take('llama3')?.providerId).toBe('second');
    expect(polls.take('llama3')).toBeUndefined();

    taken!.settle(job);
    expect(await first.handedOff()).toBe(job);
    expect(await other.handedOff()).toBeUndefined();
    second.leave();
  });

  it('forgets a poll that left, and a poll a submit put back gets nothing', async () => {
    const polls = new WaitingPolls();
    const left = polls.park('left', ['llama3'], () => {});
    left.leave();
    expect(polls.take('llama3')).toBeUndefined();

    const queued = polls.park('queued', ['llama3'], () => {});
    polls.take('llama3')!.settle(undefined);
    expect(await queued.handedOff()).toBeUndefined();
    expect(polls.size).toBe(0);
  });
});
