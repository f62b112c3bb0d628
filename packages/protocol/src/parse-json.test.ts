import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJson } from './parse-json';

const Schema = z.object({ events: z.array(z.object({ data: z.record(z.string(), z.unknown()) })) });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('parseJson', () => {
  it('parses and validates an ordinary body, escapes included', () => {
    expect(parseJson('{"events":[{"data":{"text":"caf\\u00e9 ☕"}}]}', Schema)).toEqual({
      events: [{ data: { text: 'café ☕' } }],
    });
  });

  it('refuses keys that could poison prototypes, however they are spelled', () => {
    for (const text of [
      '{"events":[],"__proto__":{"polluted":true}}',
      '{"events":[{"data":{"constructor":{"prototype":{}}}}]}',
      // The same key written with escapes must not slip past a textual check.
      '{"events":[],"\\u005f_proto__":{"polluted":true}}',
      '{"events":[],"\\u0063onstructor":1}',
    ]) {
      expect(codeOf(() => parseJson(text, Schema))).toBe('BAD_REQUEST');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the words themselves allowed inside values', () => {
    expect(parseJson('{"events":[{"data":{"text":"the prototype"}}]}', Schema)).toEqual({
      events: [{ data: { text: 'the prototype' } }],
    });
  });
});
