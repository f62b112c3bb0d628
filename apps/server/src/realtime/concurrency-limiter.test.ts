import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from './concurrency-limiter';

describe('ConcurrencyLimiter', () => {
  it('refuses past the limit per key and frees a slot once per release', () => {
    const limiter = new ConcurrencyLimiter(2, 'long polls');
    const first = limiter.acquire('a');
    limiter.acquire('a');
    expect(() => limiter.acquire('a')).toThrow(/At most 2 long polls/);
    expect(() => limiter.acquire('b')).not.toThrow();
    first();
    first();
    expect(() => limiter.acquire('a')).not.toThrow();
    expect(() => limiter.acquire('a')).toThrow();
  });
});
