import { describe, expect, it } from 'vitest';
import { path } from './path';

describe('path', () => {
  it('encodes each value so it stays inside its segment', () => {
    expect(path`/api/v1/node/jobs/${'a/b?c#d'}/events`).toBe(
      '/api/v1/node/jobs/a%2Fb%3Fc%23d/events',
    );
    expect(path`/x/${42}`).toBe('/x/42');
  });

  it('refuses segments that would change the route', () => {
    expect(() => path`/jobs/${'..'}`).toThrow(/not allowed/);
    expect(() => path`/jobs/${'.'}`).toThrow(/not allowed/);
    expect(() => path`/jobs/${''}`).toThrow(/not allowed/);
    expect(() => path`/jobs/${{ id: 1 }}`).toThrow(/strings or numbers/);
  });
});
