import { AUTH_HEADER_MAX_BYTES, NONCE_MAX_LENGTH } from '@infernet/protocol';
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectInfernetError } from '../test/expect-infernet-error';
import { encodeEnvelopeHeader } from './envelope';
import { generateKeyPair } from './keys';
import { encodeNsec } from './nip19';
import { parseEnvelopeHeader } from './parse-envelope-header';
import { signRequest } from './sign-request';
import { verifyRequest } from './verify-request';
import { schnorrBackend } from './wasm-schnorr';

const PRIVATE_KEY = 'b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef';
const PUBLIC_KEY = 'dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659';
const CREATED_AT = 1764071995;
const request = { method: 'POST', path: '/api/v1/node/heartbeat', body: '{}' };

const validScalar = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((bytes) => bytes.some((byte) => byte !== 0) && bytes[0] !== 0xff);
const httpMethod = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
  fc.stringMatching(/^[A-Za-z]{1,12}$/),
);
const wirePath = fc.stringMatching(/^\/[\x21-\x7e]{0,80}$/);
const body = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
);
const unixSeconds = fc.integer({ min: 0, max: 2 ** 40 });

function bodyBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value;
}

describe('signRequest', () => {
  it('draws the nonce and the aux randomness from the injected source', () => {
    const draws: number[] = [];
    const signed = signRequest({
      ...request,
      privateKey: PRIVATE_KEY,
      createdAt: CREATED_AT,
      randomBytes: (length) => {
        draws.push(length);
        return new Uint8Array(length).fill(0xab);
      },
    });
    expect(draws).toEqual([16, 32]);
    expect(signed.envelope).toMatchObject({
      v: 1,
      pubkey: PUBLIC_KEY,
      created_at: CREATED_AT,
      nonce: 'ab'.repeat(16),
    });
    expect(parseEnvelopeHeader(signed.header)).toEqual({ ok: true, envelope: signed.envelope });
  });

  it('makes a fresh nonce and signature on every call by default', () => {
    const first = signRequest({ ...request, privateKey: PRIVATE_KEY, createdAt: CREATED_AT });
    const second = signRequest({ ...request, privateKey: PRIVATE_KEY, createdAt: CREATED_AT });
    expect(first.envelope.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(first.envelope.nonce).not.toBe(second.envelope.nonce);
    expect(first.envelope.sig).not.toBe(second.envelope.sig);
  });

  it('stays within the header size limit for the longest nonce and time', () => {
    const signed = signRequest({
      ...request,
      privateKey: PRIVATE_KEY,
      createdAt: -Number.MAX_SAFE_INTEGER,
      nonce: 'n'.repeat(NONCE_MAX_LENGTH),
    });
    expect(signed.header.length).toBeLessThanOrEqual(AUTH_HEADER_MAX_BYTES);
  });

  it.each([
    ['an nsec private key', { privateKey: encodeNsec(PRIVATE_KEY) }],
    ['an upper-case private key', { privateKey: PRIVATE_KEY.toUpperCase() }],
    ['a zero private key', { privateKey: '00'.repeat(32) }],
    ['a fractional createdAt', { createdAt: CREATED_AT + 0.5 }],
    ['a nonce with a slash', { nonce: 'a/b' }],
    ['a nonce over the maximum length', { nonce: 'n'.repeat(NONCE_MAX_LENGTH + 1) }],
    ['a lower-case method with a space', { method: 'po st' }],
    ['a full URL as the path', { path: 'https://example.com/a b' }],
    ['16-byte aux randomness', { auxRandom: new Uint8Array(16) }],
  ])('throws BAD_REQUEST for %s', (_name, override) => {
    expectInfernetError(
      () =>
        signRequest({ ...request, privateKey: PRIVATE_KEY, createdAt: CREATED_AT, ...override }),
      'BAD_REQUEST',
    );
  });

  it('accepts the matching publicKey and gives the same envelope key', () => {
    const signed = signRequest({
      ...request,
      privateKey: PRIVATE_KEY,
      publicKey: PUBLIC_KEY,
      createdAt: CREATED_AT,
    });
    expect(signed.envelope.pubkey).toBe(PUBLIC_KEY);
  });

  it.each([
    ['another key', generateKeyPair().publicKey],
    ['upper-case hex', PUBLIC_KEY.toUpperCase()],
    ['63 characters', PUBLIC_KEY.slice(1)],
    ['the private key itself', PRIVATE_KEY],
  ])('throws BAD_REQUEST, naming no key, for a publicKey that is %s', (_name, publicKey) => {
    const error = expectInfernetError(
      () => signRequest({ ...request, privateKey: PRIVATE_KEY, publicKey, createdAt: CREATED_AT }),
      'BAD_REQUEST',
    );
    expect(error.message).not.toContain(PRIVATE_KEY);
    expect(error.message).not.toContain(publicKey);
  });

  it('throws INTERNAL when the random source returns the wrong length', () => {
    expectInfernetError(
      () =>
        signRequest({
          ...request,
          privateKey: PRIVATE_KEY,
          createdAt: CREATED_AT,
          randomBytes: () => new Uint8Array(4),
        }),
      'INTERNAL',
    );
  });
});

describe('signRequest self-verification', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('signs with libsecp256k1 and verifies its output exactly once', () => {
    const sign = vi.spyOn(schnorrBackend, 'sign');
    const verify = vi.spyOn(schnorrBackend, 'verify');
    const signed = signRequest({ ...request, privateKey: PRIVATE_KEY, createdAt: CREATED_AT });
    expect(sign).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledTimes(1);
    const [signature, , publicKey] = verify.mock.calls[0] ?? [];
    expect(bytesToHex(signature ?? new Uint8Array())).toBe(signed.envelope.sig);
    expect(bytesToHex(publicKey ?? new Uint8Array())).toBe(PUBLIC_KEY);
  });

  it('throws INTERNAL, naming no key, when the signature produced does not verify', () => {
    vi.spyOn(schnorrBackend, 'verify').mockReturnValue(false);
    const error = expectInfernetError(
      () => signRequest({ ...request, privateKey: PRIVATE_KEY, createdAt: CREATED_AT }),
      'INTERNAL',
    );
    expect(error.message).not.toContain(PRIVATE_KEY);
  });
});

describe('sign → verify properties', () => {
  it('round-trips any method, path, body, key and skew within the window', async () => {
    await fc.assert(
      fc.asyncProperty(
        validScalar,
        httpMethod,
        wirePath,
        body,
        unixSeconds,
        fc.integer({ min: -60, max: 60 }),
        async (secret, method, path, requestBody, createdAt, skew) => {
          const { privateKey, publicKey } = generateKeyPair(() => secret);
          const signed = signRequest({ method, path, body: requestBody, privateKey, createdAt });
          const result = await verifyRequest({
            header: signed.header,
            request: { method, path, body: requestBody },
            now: createdAt + skew,
          });
          expect(result).toEqual({ ok: true, publicKey, envelope: signed.envelope });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fails when any single byte of the method, path or body changes', async () => {
    const field = fc.constantFrom('method', 'path', 'body');
    await fc.assert(
      fc.asyncProperty(
        httpMethod,
        wirePath,
        body,
        field,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (method, path, requestBody, target, position, flip) => {
          const signed = signRequest({
            method,
            path,
            body: requestBody,
            privateKey: PRIVATE_KEY,
            createdAt: CREATED_AT,
          });
          const tampered = { method, path, body: requestBody as string | Uint8Array };
          if (target === 'body') {
            const bytes = Uint8Array.from(bodyBytes(requestBody));
            fc.pre(bytes.length > 0);
            const index = position % bytes.length;
            bytes[index] = (bytes[index] ?? 0) ^ flip;
            tampered.body = bytes;
          } else {
            const text = tampered[target];
            const index = position % text.length;
            // Flip within 7 bits so the field stays a string of single-byte characters.
            const changed = String.fromCharCode((text.charCodeAt(index) ^ flip) & 0x7f);
            fc.pre(changed !== text[index]);
            tampered[target] = text.slice(0, index) + changed + text.slice(index + 1);
          }
          const result = await verifyRequest({
            header: signed.header,
            request: tampered,
            now: CREATED_AT,
          });
          expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fails when any single character of the header changes', async () => {
    const signed = signRequest({ ...request, privateKey: PRIVATE_KEY, createdAt: CREATED_AT });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ .';
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: signed.header.length - 1 }),
        fc.constantFrom(...alphabet),
        async (index, replacement) => {
          fc.pre(signed.header[index] !== replacement);
          const header =
            signed.header.slice(0, index) + replacement + signed.header.slice(index + 1);
          const result = await verifyRequest({ header, request, now: CREATED_AT });
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fails when the header is signed by a different key than it names', async () => {
    await fc.assert(
      fc.asyncProperty(validScalar, async (secret) => {
        const other = generateKeyPair(() => secret);
        fc.pre(other.publicKey !== PUBLIC_KEY);
        const signed = signRequest({
          ...request,
          privateKey: other.privateKey,
          createdAt: CREATED_AT,
        });
        const forged = { ...signed.envelope, pubkey: PUBLIC_KEY };
        const header = encodeEnvelopeHeader(forged);
        const result = await verifyRequest({ header, request, now: CREATED_AT });
        expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
      }),
      { numRuns: 20 },
    );
  });
});
