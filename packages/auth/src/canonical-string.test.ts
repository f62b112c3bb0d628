import { describe, expect, it } from 'vitest';
import { expectInfernetError } from '../test/expect-infernet-error';
import { canonicalString, type CanonicalStringInput } from './canonical-string';

const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const base: CanonicalStringInput = {
  method: 'GET',
  path: '/api/v1/node/me',
  createdAt: 1764071995,
  nonce: 'aaaa',
  body: '',
};

describe('canonicalString', () => {
  it('joins the five fields with newlines', () => {
    expect(canonicalString(base)).toBe(
      `GET\n/api/v1/node/me\n1764071995\naaaa\n${EMPTY_BODY_SHA256}`,
    );
  });

  it('hashes a string body as its UTF-8 bytes', () => {
    const text = 'héllo 🌍';
    expect(canonicalString({ ...base, body: text })).toBe(
      canonicalString({ ...base, body: new TextEncoder().encode(text) }),
    );
  });

  it('uses the method exactly as given, without case folding', () => {
    expect(canonicalString({ ...base, method: 'get' })).not.toBe(canonicalString(base));
  });

  it('writes negative and zero times as plain integers', () => {
    expect(canonicalString({ ...base, createdAt: 0 })).toContain('\n0\n');
    expect(canonicalString({ ...base, createdAt: -5 })).toContain('\n-5\n');
  });

  it.each([
    ['a method with a newline', { method: 'GET\n/x' }],
    ['a method with a space', { method: 'G ET' }],
    ['an empty method', { method: '' }],
    ['a path with a newline', { path: '/a\n/b' }],
    ['a path with a space', { path: '/a b' }],
    ['a path with non-ASCII', { path: '/café' }],
    ['an empty path', { path: '' }],
    ['a fractional time', { createdAt: 1.5 }],
    ['an unsafe time', { createdAt: 2 ** 53 }],
    ['a nonce with a newline', { nonce: 'a\nb' }],
    ['an empty nonce', { nonce: '' }],
  ])('throws BAD_REQUEST for %s, keeping the encoding unambiguous', (_name, override) => {
    expectInfernetError(() => canonicalString({ ...base, ...override }), 'BAD_REQUEST');
  });
});
