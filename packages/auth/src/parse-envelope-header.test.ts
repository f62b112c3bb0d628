import { AUTH_HEADER_MAX_BYTES, NONCE_MAX_LENGTH } from '@infernet/protocol';
import { base64urlnopad } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { loadEnvelopeVectors } from '../test/load-fixtures';
import { encodeEnvelopeHeader, type Envelope } from './envelope';
import { parseEnvelopeHeader } from './parse-envelope-header';
import { topLevelKeys } from './top-level-keys';
import { verifyRequest } from './verify-request';

const vectors = loadEnvelopeVectors();
const [validVector] = vectors.valid;
if (validVector === undefined) throw new Error('no valid vectors');
const { envelope } = validVector;
const { pubkey, created_at: createdAt, nonce, sig } = envelope;

/** base64url of arbitrary JSON text, to build headers a correct signer would never produce. */
function headerOf(json: string): string {
  return base64urlnopad.encode(new TextEncoder().encode(json));
}

function fieldsJson(overrides: Record<string, string>): string {
  const fields: Record<string, string> = {
    v: '1',
    pubkey: JSON.stringify(pubkey),
    created_at: String(createdAt),
    nonce: JSON.stringify(nonce),
    sig: JSON.stringify(sig),
    ...overrides,
  };
  const members = Object.entries(fields)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${JSON.stringify(key)}:${value}`);
  return `{${members.join(',')}}`;
}

describe('parseEnvelopeHeader: size and encoding', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
  ])('refuses a %s header as malformed', (_name, header) => {
    expect(parseEnvelopeHeader(header)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('checks the size before decoding', () => {
    const atLimit = parseEnvelopeHeader('A'.repeat(AUTH_HEADER_MAX_BYTES));
    const overLimit = parseEnvelopeHeader('A'.repeat(AUTH_HEADER_MAX_BYTES + 1));
    expect(atLimit).toMatchObject({ ok: false, reason: 'malformed' });
    expect(atLimit.ok || atLimit.message).not.toMatch(/longer than/);
    expect(overLimit).toMatchObject({ ok: false, reason: 'malformed' });
    expect(overLimit.ok || overLimit.message).toMatch(/longer than 1024 bytes/);
  });

  it.each([
    ['padding', `${validVector.header}=`],
    ['standard base64 characters', validVector.header.replace(/-/g, '+').replace(/_/g, '/') + '+'],
    ['whitespace', ` ${validVector.header}`],
    ['a line break', `${validVector.header.slice(0, 10)}\n${validVector.header.slice(10)}`],
    ['non-ASCII characters', `${validVector.header.slice(0, -1)}é`],
    ['an impossible length', `${validVector.header}A`],
    // "eyJ9" is base64url of '{"}': the same text with stray low bits set in the last character.
    ['non-zero unused bits', `${headerOf('{}').slice(0, -1)}Q`],
  ])('refuses %s as malformed', (_name, header) => {
    expect(parseEnvelopeHeader(header)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses invalid UTF-8 and a byte-order mark', () => {
    const invalidUtf8 = base64urlnopad.encode(new Uint8Array([0x7b, 0xff, 0x7d]));
    const withBom = headerOf(`\ufeff${fieldsJson({})}`);
    expect(parseEnvelopeHeader(headerOf(fieldsJson({})))).toMatchObject({ ok: true });
    expect(parseEnvelopeHeader(invalidUtf8)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(parseEnvelopeHeader(withBom)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('parseEnvelopeHeader: JSON shape', () => {
  it.each([
    ['a JSON string', '"text"'],
    ['a JSON number', '1'],
    ['null', 'null'],
    ['an array', `[${fieldsJson({})}]`],
    ['a duplicate key', fieldsJson({}).replace('{', '{"sig":"00",')],
    ['a duplicate key spelled with an escape', fieldsJson({}).replace('{', '{"\\u0076":1,')],
    ['a sixth key', fieldsJson({ extra: 'true' })],
    ['a __proto__ key', fieldsJson({}).replace('{', '{"__proto__":{},')],
    ['a missing v', fieldsJson({ v: '' })],
    ['a missing pubkey', fieldsJson({ pubkey: '' })],
    ['v as a string', fieldsJson({ v: '"1"' })],
    ['v as true', fieldsJson({ v: 'true' })],
    ['v as null', fieldsJson({ v: 'null' })],
    ['upper-case pubkey', fieldsJson({ pubkey: JSON.stringify(pubkey.toUpperCase()) })],
    ['created_at beyond safe integers', fieldsJson({ created_at: '9007199254740992' })],
    ['created_at as a float', fieldsJson({ created_at: '1.5' })],
    ['a nonce with a dot', fieldsJson({ nonce: '"a.b"' })],
    ['a nonce with a newline', fieldsJson({ nonce: '"a\\nb"' })],
    ['an over-long nonce', fieldsJson({ nonce: JSON.stringify('n'.repeat(NONCE_MAX_LENGTH + 1)) })],
    ['a numeric nonce', fieldsJson({ nonce: '12' })],
    ['a 130-character sig', fieldsJson({ sig: JSON.stringify(`${sig}00`) })],
  ])('refuses %s as malformed', (_name, json) => {
    expect(parseEnvelopeHeader(headerOf(json))).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['v = 2', fieldsJson({ v: '2' })],
    ['v = 0', fieldsJson({ v: '0' })],
    ['v = 2 with fields version 1 does not know', fieldsJson({ v: '2', scheme: '"bip340"' })],
  ])('reports %s as unsupported_version', (_name, json) => {
    expect(parseEnvelopeHeader(headerOf(json))).toMatchObject({
      ok: false,
      reason: 'unsupported_version',
    });
  });

  it('accepts a nonce of exactly the maximum length', () => {
    const longNonce = 'n'.repeat(NONCE_MAX_LENGTH);
    const header = headerOf(fieldsJson({ nonce: JSON.stringify(longNonce) }));
    expect(header.length).toBeLessThanOrEqual(AUTH_HEADER_MAX_BYTES);
    expect(parseEnvelopeHeader(header)).toMatchObject({ ok: true, envelope: { nonce: longNonce } });
  });

  it('accepts other key orders and whitespace; the signature covers the request, not the header', async () => {
    const reordered = `{ "sig": "${sig}", "nonce": "${nonce}", "created_at": ${createdAt},\n "pubkey": "${pubkey}", "v": 1 }`;
    const header = headerOf(reordered);
    expect(parseEnvelopeHeader(header)).toEqual({ ok: true, envelope });
    const result = await verifyRequest({ header, request: validVector.request, now: vectors.now });
    expect(result.ok).toBe(true);
  });

  it('builds a fresh envelope object with the keys in canonical order', () => {
    const parsed = parseEnvelopeHeader(validVector.header);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(Object.keys(parsed.envelope)).toEqual(['v', 'pubkey', 'created_at', 'nonce', 'sig']);
    const shuffled: Envelope = { sig, nonce, created_at: createdAt, pubkey, v: 1 };
    expect(encodeEnvelopeHeader(shuffled)).toBe(validVector.header);
  });
});

describe('topLevelKeys', () => {
  it('lists only top-level names, in order, with duplicates and decoded escapes', () => {
    const json = '{"a":{"a":1,"b":[1,{"a":2}]},"b":"x,\\"c\\":1","\\u0063":[],"a":null}';
    expect(topLevelKeys(json)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('handles an empty object and escaped backslashes before quotes', () => {
    expect(topLevelKeys('{}')).toEqual([]);
    expect(topLevelKeys('{"a\\\\":"\\\\","b":1}')).toEqual(['a\\', 'b']);
  });
});
