import { describe, expect, it } from 'vitest';
import type { NodeEvent } from '@infernet/protocol';
import { ManualClock, settle } from './manual-clock';
import { TokenBatcher, type EventBatch } from './token-batcher';

interface Sent {
  at: number;
  number: number;
  events: NodeEvent[];
  urgent: boolean;
}

/** A send that records when each batch went out; resolves at once unless told to hold. */
function recordingSend(clock: ManualClock) {
  const sent: Sent[] = [];
  let hold: Promise<void> | undefined;
  let failNext: unknown[] = [];
  const send = async ({ number, events, urgent }: EventBatch) => {
    sent.push({ at: clock.now(), number, events, urgent });
    const failure = failNext.shift();
    if (failure !== undefined) throw failure;
    if (hold) await hold;
  };
  return {
    send,
    sent,
    holdSends() {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
    failWith(...errors: unknown[]) {
      failNext = errors;
    },
  };
}

const texts = (sent: Sent[]) =>
  sent.map((batch) => batch.events.map((event) => event.data.text ?? event.event_type).join('|'));

describe('TokenBatcher', () => {
  it('sends meta and the first token at once, then at most one batch per 50 ms', async () => {
    const clock = new ManualClock(1_000);
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });

    batcher.pushMeta({ provider_node_id: 'node-1' });
    batcher.pushToken('Hel');
    await settle();
    expect(recorder.sent.map((batch) => batch.at)).toEqual([1_000, 1_000]);
    expect(texts(recorder.sent)).toEqual(['meta', 'Hel']);
    expect(recorder.sent.map((batch) => batch.urgent)).toEqual([true, true]);

    await clock.advance(10);
    batcher.pushToken('lo');
    await clock.advance(10);
    batcher.pushToken(', ');
    await clock.advance(10);
    batcher.pushToken('world');
    expect(recorder.sent).toHaveLength(2);

    await clock.advance(19);
    expect(recorder.sent).toHaveLength(2);
    await clock.advance(1);
    expect(recorder.sent).toHaveLength(3);
    expect(recorder.sent[2]).toEqual({
      at: 1_050,
      number: 3,
      events: [
        { event_type: 'token', data: { text: 'lo' } },
        { event_type: 'token', data: { text: ', ' } },
        { event_type: 'token', data: { text: 'world' } },
      ],
      urgent: false,
    });
  });

  it('sends the later batches of every job on the same ticks, whenever each job started', async () => {
    const clock = new ManualClock(1_000);
    const recorders = [recordingSend(clock), recordingSend(clock)];
    const batchers = recorders.map((recorder) => new TokenBatcher({ send: recorder.send, clock }));
    batchers[0]!.pushToken('a1');
    await clock.advance(7);
    batchers[1]!.pushToken('b1');
    await clock.advance(13);
    batchers[0]!.pushToken('a2');
    batchers[1]!.pushToken('b2');
    await clock.advance(40);
    batchers[0]!.pushToken('a3');
    batchers[1]!.pushToken('b3');
    await clock.advance(50);
    // The first tokens go out at once; the rest wait for the node's next 50 ms tick, together.
    expect(recorders.map((recorder) => recorder.sent.map((batch) => batch.at))).toEqual([
      [1_000, 1_050, 1_100],
      [1_007, 1_050, 1_100],
    ]);
    expect(recorders.map((recorder) => texts(recorder.sent))).toEqual([
      ['a1', 'a2', 'a3'],
      ['b1', 'b2', 'b3'],
    ]);
  });

  it('shifts the ticks by the offset the node chose', async () => {
    const clock = new ManualClock(1_000);
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock, tickOffsetMs: 30 });
    batcher.pushToken('a');
    await clock.advance(5);
    batcher.pushToken('b');
    await clock.advance(50);
    batcher.pushToken('c');
    await clock.advance(50);
    expect(recorder.sent.map((batch) => batch.at)).toEqual([1_000, 1_030, 1_080]);
  });

  it('never sends two batches inside one window, however fast tokens come', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    batcher.pushToken('first');
    for (let step = 0; step < 500; step += 1) {
      batcher.pushToken(`t${step} `);
      await clock.advance(1);
    }
    await batcher.close();
    const times = recorder.sent.map((batch) => batch.at);
    for (let index = 1; index < times.length; index += 1) {
      expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(50);
    }
    const streamed = recorder.sent.flatMap((batch) => batch.events.map((event) => event.data.text));
    expect(streamed.join('')).toBe(
      'first' + Array.from({ length: 500 }, (_, step) => `t${step} `).join(''),
    );
  });

  it('sends a lone token after a quiet spell without waiting for another one', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    batcher.pushToken('a');
    await clock.advance(5);
    batcher.pushToken('b');
    await clock.advance(45);
    expect(texts(recorder.sent)).toEqual(['a', 'b']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('flushes what is left on close and resolves only after it is stored', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    batcher.pushToken('a');
    await settle();
    batcher.pushToken('b');
    batcher.pushToken('c');
    const release = recorder.holdSends();
    let closed = false;
    const closing = batcher.close().then(() => (closed = true));
    await settle();
    expect(texts(recorder.sent)).toEqual(['a', 'b|c']);
    expect(recorder.sent[1]?.at).toBe(0);
    expect(closed).toBe(false);
    release();
    await closing;
    expect(closed).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps sends in order: tokens wait for a slow send, then go out together', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    const release = recorder.holdSends();
    batcher.pushMeta({ provider_node_id: 'node-1' });
    batcher.pushToken('a');
    batcher.pushToken('b');
    await clock.advance(200);
    expect(texts(recorder.sent)).toEqual(['meta']);
    release();
    await settle();
    expect(texts(recorder.sent)).toEqual(['meta', 'a|b']);
  });

  it('numbers batches 1, 2, 3 … in the order they are sent', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    batcher.pushMeta({ provider_node_id: 'node-1' });
    batcher.pushToken('a');
    await settle();
    batcher.pushToken('b');
    await clock.advance(50);
    batcher.pushToken('c');
    await batcher.close();
    expect(recorder.sent.map((batch) => batch.number)).toEqual([1, 2, 3, 4]);
    expect(texts(recorder.sent)).toEqual(['meta', 'a', 'b', 'c']);
  });

  it('re-sends a failed batch unchanged, same number, before anything newer', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const errors: unknown[] = [];
    const batcher = new TokenBatcher({
      send: recorder.send,
      clock,
      onError: (error) => errors.push(error),
    });
    recorder.failWith(new Error('503'));
    batcher.pushToken('a');
    await settle();
    batcher.pushToken('b');
    await clock.advance(99);
    expect(texts(recorder.sent)).toEqual(['a']);
    await clock.advance(1);
    // The retry carries exactly what the server may already hold under number 1; 'b' waits for 2.
    expect(recorder.sent.map(({ number }) => number)).toEqual([1, 1]);
    expect(texts(recorder.sent)).toEqual(['a', 'a']);
    await clock.advance(50);
    expect(recorder.sent.map(({ number }) => number)).toEqual([1, 1, 2]);
    expect(texts(recorder.sent)).toEqual(['a', 'a', 'b']);
    expect(errors).toHaveLength(1);
    await batcher.close();
  });

  it('keeps a failed batch and its number when retrying it while closing', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    batcher.pushToken('a');
    await settle();
    recorder.failWith(new Error('503'));
    batcher.pushToken('b');
    batcher.pushToken('c');
    await batcher.close();
    expect(recorder.sent.map(({ number }) => number)).toEqual([1, 2, 2]);
    expect(texts(recorder.sent)).toEqual(['a', 'b|c', 'b|c']);
  });

  it('sends nothing more once discarded, and waits only for the send in flight', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    const release = recorder.holdSends();
    batcher.pushToken('a');
    await settle();
    batcher.pushToken('b');
    let discarded = false;
    const discarding = batcher.discard().then(() => (discarded = true));
    await settle();
    expect(discarded).toBe(false);
    release();
    await discarding;
    batcher.pushToken('c');
    await clock.advance(1_000);
    expect(texts(recorder.sent)).toEqual(['a']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops for good on a fatal error and makes close reject with it', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const gone = new Error('409 lease lost');
    const fatal: boolean[] = [];
    const batcher = new TokenBatcher({
      send: recorder.send,
      clock,
      isFatal: (error) => error === gone,
      onError: (_error, isFatal) => fatal.push(isFatal),
    });
    recorder.failWith(gone);
    batcher.pushToken('a');
    await settle();
    batcher.pushToken('b');
    await clock.advance(500);
    expect(texts(recorder.sent)).toEqual(['a']);
    expect(fatal).toEqual([true]);
    await expect(batcher.close()).rejects.toBe(gone);
  });

  it('splits a large backlog into requests of at most 200 events', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    const release = recorder.holdSends();
    batcher.pushToken('first');
    for (let index = 0; index < 450; index += 1) batcher.pushToken(`t${index}`);
    release();
    await batcher.close();
    expect(recorder.sent.map((batch) => batch.events.length)).toEqual([1, 200, 200, 50]);
  });

  it('gives up closing after repeated failures', async () => {
    const clock = new ManualClock();
    const recorder = recordingSend(clock);
    const batcher = new TokenBatcher({ send: recorder.send, clock });
    const down = new Error('unreachable');
    recorder.failWith(down, down, down, down);
    batcher.pushToken('a');
    await settle();
    await expect(batcher.close()).rejects.toBe(down);
    expect(recorder.sent).toHaveLength(4);
  });
});
