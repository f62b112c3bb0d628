import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let polls = 0;
    const value = await waitFor(() => (++polls >= 3 ? `after ${polls}` : undefined), {
      intervalMs: 0,
    });
    expect(value).toBe('after 3');
  });

  it('keeps polling through a throwing predicate', async () => {
    let polls = 0;
    const value = await waitFor(async () => {
      polls += 1;
      if (polls < 2) throw new Error('not yet');
      return true;
    });
    expect(value).toBe(true);
  });

  it('fails with the description and the last error after the timeout', async () => {
    const failure = waitFor(
      () => {
        throw new Error('still starting');
      },
      { timeoutMs: 30, description: 'daemon ready' },
    );
    await expect(failure).rejects.toThrow('waitFor: daemon ready not met within 30 ms');
    await expect(failure).rejects.toMatchObject({ cause: { message: 'still starting' } });
  });
});
