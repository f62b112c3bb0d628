import { describe, expect, it } from 'vitest';
import { TopicHub, WILDCARD } from './topic-hub';
import { Wakeup } from './wakeup';

describe('Wakeup', () => {
  it('keeps a notification that arrives before the wait', async () => {
    const wakeup = new Wakeup();
    wakeup.notify();
    expect(await wakeup.wait(60_000)).toBe('notified');
  });

  it('reports timeout and abort', async () => {
    const wakeup = new Wakeup();
    expect(await wakeup.wait(0)).toBe('timeout');
    const controller = new AbortController();
    const waiting = wakeup.wait(60_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe('aborted');
  });
});

describe('TopicHub', () => {
  it('wakes subscribers of a topic, everyone on the wildcard, and nobody after unsubscribe', async () => {
    const hub = new TopicHub();
    const modelA = new Wakeup();
    const modelB = new Wakeup();
    const leave = hub.subscribe(['a'], modelA);
    hub.subscribe(['b'], modelB);
    hub.publish('a');
    expect(await modelA.wait(0)).toBe('notified');
    expect(await modelB.wait(0)).toBe('timeout');
    hub.publish(WILDCARD);
    expect(await modelB.wait(0)).toBe('notified');
    expect(await modelA.wait(0)).toBe('notified');
    leave();
    hub.publish('a');
    expect(await modelA.wait(0)).toBe('timeout');
    expect(hub.size).toBe(1);
  });
});
