import type { StoredEvent } from '@infernet/db';
import { describe, expect, it } from 'vitest';
import { EventWakeup } from './event-wakeup';

const event = (seq: number): StoredEvent => ({
  jobId: 'job',
  seq,
  type: 'token',
  data: { text: String(seq) },
  createdAt: new Date(0),
});

describe('EventWakeup', () => {
  it('hands over the rows that wakes carried when they continue the cursor', async () => {
    const wakeup = new EventWakeup();
    wakeup.notify([event(4), event(5)]);
    wakeup.notify([event(3)]);
    expect(await wakeup.wait(1_000)).toBe('notified');
    const next = wakeup.take(2);
    expect(next.source).toBe('memory');
    expect(next.source === 'memory' && next.events.map((row) => row.seq)).toEqual([3, 4, 5]);
  });

  it('drops rows the reader already has, and asks for nothing more', () => {
    const wakeup = new EventWakeup();
    wakeup.notify([event(1), event(2)]);
    expect(wakeup.take(2)).toEqual({ source: 'memory', events: [] });
  });

  it('sends the reader to the database after a gap, a bare wake or a wildcard', () => {
    const gap = new EventWakeup();
    gap.notify([event(5)]);
    expect(gap.take(3)).toEqual({ source: 'database' });

    const bare = new EventWakeup();
    bare.notify([event(4)]);
    bare.notify();
    bare.notify([event(5)]);
    expect(bare.take(3)).toEqual({ source: 'database' });
    // A take starts afresh.
    bare.notify([event(6)]);
    expect(bare.take(5)).toEqual({ source: 'memory', events: [event(6)] });
  });
});
