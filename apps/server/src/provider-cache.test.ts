import { describe, expect, it } from 'vitest';
import type { ProviderRecord } from '@infernet/db';
import { EMPTY_NODE_SPECS } from '@infernet/protocol';
import { ProviderCache } from './provider-cache';

function provider(publicKey: string, name: string): ProviderRecord {
  return {
    id: `id-${publicKey}`,
    publicKey,
    nodeId: `node-${publicKey}`,
    role: 'provider',
    name,
    status: 'available',
    address: null,
    port: null,
    gpuModel: null,
    price: null,
    specs: EMPTY_NODE_SPECS,
    listed: true,
    lastSeenAt: null,
    createdAt: new Date(0),
  };
}

describe('ProviderCache', () => {
  it('serves a row until it expires or is replaced or forgotten, and never caches a miss', async () => {
    let now = 0;
    const cache = new ProviderCache(1_000, () => now, 2);
    const loads: string[] = [];
    const rows = new Map([['a', provider('a', 'first')]]);
    const load = async (key: string) => {
      loads.push(key);
      return rows.get(key) ?? null;
    };
    expect((await cache.get('a', load))?.name).toBe('first');
    rows.set('a', provider('a', 'second'));
    expect((await cache.get('a', load))?.name).toBe('first');
    now = 1_000;
    expect((await cache.get('a', load))?.name).toBe('second');
    cache.set(provider('a', 'third'));
    expect((await cache.get('a', load))?.name).toBe('third');
    cache.forget('a');
    expect((await cache.get('a', load))?.name).toBe('second');
    expect(await cache.get('missing', load)).toBeNull();
    expect(await cache.get('missing', load)).toBeNull();
    expect(loads).toEqual(['a', 'a', 'a', 'missing', 'missing']);
  });

  it('drops the oldest entry when full', async () => {
    const cache = new ProviderCache(60_000, () => 0, 2);
    const loads: string[] = [];
    const load = async (key: string) => {
      loads.push(key);
      return provider(key, key);
    };
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    await cache.get('b', load);
    await cache.get('a', load);
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });
});
