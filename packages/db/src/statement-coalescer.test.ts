import { InfernetError } from '@infernet/protocol';
import { describe, expect, it } from 'vitest';
import { StatementCoalescer } from './statement-coalescer';

interface Item {
  key: string;
  value: number;
}

interface Call {
  items: readonly Item[];
  finish: () => void;
}

/** A statement runner whose calls finish only when the test says so. */
function controllableRunner() {
  const calls: Call[] = [];
  const waiting: ((call: Call) => void)[] = [];
  const run = (items: readonly Item[]) =>
    new Promise<number[]>((resolve) => {
      const call = { items, finish: () => resolve(items.map((item) => item.value * 10)) };
      calls.push(call);
      waiting.shift()?.(call);
    });
  /** The call with this index, once the coalescer has made it. */
  const call = (index: number) =>
    calls[index]
      ? Promise.resolve(calls[index])
      : new Promise<Call>((resolve) => waiting.push(resolve));
  return { calls, run, call };
}

/** Resolves after the coalescer's end-of-turn dispatch, which was scheduled first. */
const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('StatementCoalescer', () => {
  it('sends what one turn submitted together at the end of that turn, while idle', async () => {
    const { calls, run } = controllableRunner();
    const coalescer = new StatementCoalescer({
      run,
      keyOf: (item: Item) => item.key,
      maxItems: 10,
      maxInFlight: 2,
    });
    const first = coalescer.submit({ key: 'a', value: 1 });
    const second = coalescer.submit({ key: 'b', value: 2 });
    expect(calls).toEqual([]);
    await endOfTurn();
    expect(calls.map((call) => call.items.map((item) => item.key))).toEqual([['a', 'b']]);
    calls[0]!.finish();
    expect(await Promise.all([first, second])).toEqual([10, 20]);
  });

  it('gathers the items that a finished statement’s callers submit next', async () => {
    const { calls, run, call } = controllableRunner();
    const coalescer = new StatementCoalescer({ run, maxItems: 10, maxInFlight: 2 });
    // Each caller submits its next item as soon as its first one is answered.
    const chains = [1, 2, 3].map(async (value) => {
      await coalescer.submit({ key: `first-${value}`, value });
      return coalescer.submit({ key: `next-${value}`, value: value + 3 });
    });
    (await call(0)).finish();
    (await call(1)).finish();
    expect(calls.map((made) => made.items.map((item) => item.value))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(await Promise.all(chains)).toEqual([40, 50, 60]);
  });

  it('splits a turn’s items over statements of at most maxItems', async () => {
    const { calls, run } = controllableRunner();
    const coalescer = new StatementCoalescer({
      run,
      keyOf: (item: Item) => item.key,
      maxItems: 2,
      maxInFlight: 2,
    });
    const results = [
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
      { key: 'c', value: 3 },
    ].map((item) => coalescer.submit(item));
    await endOfTurn();
    // Two fit a statement; the third starts the second statement in the same turn.
    expect(calls.map((call) => call.items.map((item) => item.key))).toEqual([['a', 'b'], ['c']]);
    for (const call of calls) call.finish();
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
  });

  it('merges what arrives while statements run, one item per key, in order', async () => {
    const { calls, run, call } = controllableRunner();
    const coalescer = new StatementCoalescer({
      run,
      keyOf: (item: Item) => item.key,
      maxItems: 3,
      maxInFlight: 1,
    });
    const results = [coalescer.submit({ key: 'a', value: 1 })];
    const first = await call(0);
    results.push(
      coalescer.submit({ key: 'b', value: 2 }),
      coalescer.submit({ key: 'b', value: 3 }),
      coalescer.submit({ key: 'c', value: 4 }),
      coalescer.submit({ key: 'd', value: 5 }),
      coalescer.submit({ key: 'e', value: 6 }),
    );
    await endOfTurn();
    expect(calls).toHaveLength(1);
    first.finish();
    // b(2), c, d share a statement; the second b waits for the next one, with e.
    const second = await call(1);
    expect(second.items.map((item) => item.value)).toEqual([2, 4, 5]);
    second.finish();
    const third = await call(2);
    expect(third.items.map((item) => item.value)).toEqual([3, 6]);
    third.finish();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('retries each item alone when a shared statement fails, so only the bad one fails', async () => {
    const coalescer = new StatementCoalescer({
      run: async (items: readonly Item[]) => {
        if (items.some((item) => item.value < 0)) throw new Error('bad value');
        return items.map((item) => item.value);
      },
      keyOf: (item: Item) => item.key,
      maxItems: 10,
      maxInFlight: 1,
    });
    const blocker = coalescer.submit({ key: 'first', value: 0 });
    await endOfTurn();
    const good = coalescer.submit({ key: 'good', value: 7 });
    const bad = coalescer.submit({ key: 'bad', value: -1 });
    await blocker;
    expect(await good).toBe(7);
    await expect(bad).rejects.toThrow('bad value');
  });

  it('fails the whole group at once when the database is unavailable', async () => {
    let statements = 0;
    const coalescer = new StatementCoalescer({
      run: async (items: readonly Item[]) => {
        statements += 1;
        if (items.length > 1 || items[0]!.value > 0) {
          throw new InfernetError('DATABASE_UNAVAILABLE', 'down');
        }
        return [0];
      },
      keyOf: (item: Item) => item.key,
      maxItems: 10,
      maxInFlight: 1,
    });
    const blocker = coalescer.submit({ key: 'first', value: 0 });
    await endOfTurn();
    const others = [1, 2, 3].map((value) => coalescer.submit({ key: `k${value}`, value }));
    await blocker;
    for (const other of others) await expect(other).rejects.toThrow('down');
    expect(statements).toBe(2);
  });

  it('puts only items of one group in a statement, oldest group first', async () => {
    const { run, call } = controllableRunner();
    const coalescer = new StatementCoalescer({
      run,
      groupOf: (item: Item) => item.key,
      maxItems: 10,
      maxInFlight: 1,
    });
    const results = [coalescer.submit({ key: 'x', value: 1 })];
    const first = await call(0);
    results.push(
      coalescer.submit({ key: 'y', value: 2 }),
      coalescer.submit({ key: 'x', value: 3 }),
      coalescer.submit({ key: 'y', value: 4 }),
    );
    expect(first.items.map((item) => item.value)).toEqual([1]);
    first.finish();
    const second = await call(1);
    expect(second.items.map((item) => item.value)).toEqual([2, 4]);
    second.finish();
    const third = await call(2);
    expect(third.items.map((item) => item.value)).toEqual([3]);
    third.finish();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40]);
  });
});
