import { describe, expect, it } from 'vitest';
import { expectInfernetError } from '../test/expect-infernet-error';
import { MemoryReplayStore } from './replay-store';

const PUBLIC_KEY_A = 'a'.repeat(64);
const PUBLIC_KEY_B = 'b'.repeat(64);
const at = (seconds: number): Date => new Date(seconds * 1000);

describe('MemoryReplayStore', () => {
  it('remembers a pair once and refuses it after', async () => {
    const store = new MemoryReplayStore();
    expect(await store.remember(PUBLIC_KEY_A, 'n1', at(100))).toBe(true);
    expect(await store.remember(PUBLIC_KEY_A, 'n1', at(100))).toBe(false);
    expect(await store.remember(PUBLIC_KEY_A, 'n2', at(100))).toBe(true);
    expect(await store.remember(PUBLIC_KEY_B, 'n1', at(100))).toBe(true);
    expect(store.size).toBe(3);
  });

  it('keeps pairs that a joined string would confuse apart', async () => {
    const store = new MemoryReplayStore();
    expect(await store.remember('ab', 'c', at(100))).toBe(true);
    expect(await store.remember('a', 'bc', at(100))).toBe(true);
    expect(await store.remember('a:b', 'c', at(100))).toBe(true);
    expect(await store.remember('a', 'b:c', at(100))).toBe(true);
  });

  it('prunes pairs whose expiry is at or before now, and they can be used again', async () => {
    const store = new MemoryReplayStore();
    await store.remember(PUBLIC_KEY_A, 'early', at(100));
    await store.remember(PUBLIC_KEY_A, 'edge', at(200));
    await store.remember(PUBLIC_KEY_A, 'late', at(300));
    expect(store.prune(at(200))).toBe(2);
    expect(store.size).toBe(1);
    expect(store.prune(at(200))).toBe(0);
    expect(await store.remember(PUBLIC_KEY_A, 'early', at(400))).toBe(true);
    expect(await store.remember(PUBLIC_KEY_A, 'late', at(400))).toBe(false);
  });

  it('evicts the oldest pair when full', async () => {
    const store = new MemoryReplayStore({ maxEntries: 2 });
    await store.remember(PUBLIC_KEY_A, 'first', at(100));
    await store.remember(PUBLIC_KEY_A, 'second', at(100));
    await store.remember(PUBLIC_KEY_A, 'third', at(100));
    expect(store.size).toBe(2);
    expect(await store.remember(PUBLIC_KEY_A, 'third', at(100))).toBe(false);
    expect(await store.remember(PUBLIC_KEY_A, 'first', at(100))).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntries %s', (maxEntries) => {
    expectInfernetError(() => new MemoryReplayStore({ maxEntries }), 'BAD_REQUEST');
  });
});
