import { describe, expect, it } from 'vitest';
import { clockSkewSeconds } from './doctor';

describe('clockSkewSeconds', () => {
  const sentAt = Date.parse('2026-11-25T12:00:00.200Z');

  it('calls a clock within the Date header’s one-second resolution in step', () => {
    expect(clockSkewSeconds('Wed, 25 Nov 2026 12:00:00 GMT', sentAt, sentAt + 40)).toBe(0);
  });

  it.each([
    ['Wed, 25 Nov 2026 12:01:30 GMT', 90],
    ['Wed, 25 Nov 2026 11:58:00 GMT', -120],
  ])('measures a server at %s as %d s off', (date, seconds) => {
    const skew = clockSkewSeconds(date, sentAt, sentAt + 40)!;
    expect(Math.round(skew)).toBe(seconds);
  });

  it('ignores a Date header it cannot read', () => {
    expect(clockSkewSeconds('yesterday', sentAt, sentAt)).toBeUndefined();
  });
});
