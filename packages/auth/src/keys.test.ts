import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInfernetError } from '../test/expect-infernet-error';
import { generateKeyPair, isHexKey, parsePrivateKey, publicKeyFromPrivateKey } from './keys';
import { encodeNsec } from './nip19';

const KEY_THREE = '0000000000000000000000000000000000000000000000000000000000000003';
const PUBLIC_KEY_THREE = 'f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9';
const CURVE_ORDER = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';

/** A random source that hands out the given byte strings in turn. */
function scriptedRandomBytes(...draws: string[]): (length: number) => Uint8Array {
  let call = 0;
  return (length) => {
    const draw = draws[Math.min(call, draws.length - 1)];
    call += 1;
    const bytes = hexToBytes(draw ?? '');
    expect(bytes.length).toBe(length);
    return bytes;
  };
}

describe('isHexKey', () => {
  it.each([
    [KEY_THREE, true],
    [PUBLIC_KEY_THREE, true],
    [PUBLIC_KEY_THREE.toUpperCase(), false],
    [PUBLIC_KEY_THREE.slice(1), false],
    [`${PUBLIC_KEY_THREE}0`, false],
    [`${PUBLIC_KEY_THREE.slice(1)}g`, false],
    ['', false],
  ])('%s → %s', (value, expected) => {
    expect(isHexKey(value)).toBe(expected);
  });
});

describe('generateKeyPair', () => {
  it('derives the x-only public key from injected randomness', () => {
    expect(generateKeyPair(scriptedRandomBytes(KEY_THREE))).toEqual({
      privateKey: KEY_THREE,
      publicKey: PUBLIC_KEY_THREE,
    });
  });

  it('draws again when the bytes are not a valid scalar', () => {
    const pair = generateKeyPair(scriptedRandomBytes('00'.repeat(32), CURVE_ORDER, KEY_THREE));
    expect(pair.privateKey).toBe(KEY_THREE);
  });

  it('gives up with INTERNAL on a random source that is broken', () => {
    expectInfernetError(() => generateKeyPair(() => new Uint8Array(32)), 'INTERNAL');
    expectInfernetError(() => generateKeyPair(() => new Uint8Array(16)), 'INTERNAL');
  });

  it('uses Web Crypto by default and gives distinct, consistent pairs', () => {
    const first = generateKeyPair();
    const second = generateKeyPair();
    expect(isHexKey(first.privateKey) && isHexKey(first.publicKey)).toBe(true);
    expect(first.privateKey).not.toBe(second.privateKey);
    expect(publicKeyFromPrivateKey(first.privateKey)).toBe(first.publicKey);
  });

  it('agrees with noble for arbitrary valid scalars', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        fc.pre(bytes.some((byte) => byte !== 0) && bytesToHex(bytes) < CURVE_ORDER);
        const pair = generateKeyPair(() => bytes);
        expect(pair.privateKey).toBe(bytesToHex(bytes));
        expect(pair.publicKey).toBe(bytesToHex(schnorr.getPublicKey(bytes)));
      }),
      { numRuns: 50 },
    );
  });
});

describe('publicKeyFromPrivateKey', () => {
  it.each([
    ['zero', '00'.repeat(32)],
    ['the curve order', CURVE_ORDER],
    ['upper-case hex', KEY_THREE.replace(/0/g, 'A')],
    ['63 characters', KEY_THREE.slice(1)],
    ['an nsec string', encodeNsec(KEY_THREE)],
  ])('throws BAD_REQUEST for %s', (_name, input) => {
    expectInfernetError(() => publicKeyFromPrivateKey(input), 'BAD_REQUEST');
  });
});

describe('parsePrivateKey', () => {
  it('accepts lowercase hex and nsec, ignoring surrounding whitespace', () => {
    expect(parsePrivateKey(KEY_THREE)).toBe(KEY_THREE);
    expect(parsePrivateKey(`  ${KEY_THREE}\n`)).toBe(KEY_THREE);
    expect(parsePrivateKey(encodeNsec(KEY_THREE))).toBe(KEY_THREE);
    expect(parsePrivateKey(`${encodeNsec(KEY_THREE)}\n`)).toBe(KEY_THREE);
  });

  it('refuses upper-case hex with a message that says to use lowercase', () => {
    const error = expectInfernetError(
      () => parsePrivateKey('B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF'),
      'BAD_REQUEST',
    );
    expect(error.message).toMatch(/lowercase/);
  });

  it('refuses an empty string', () => {
    expectInfernetError(() => parsePrivateKey(''), 'BAD_REQUEST');
  });

  it.each([
    ['a public npub', 'npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6'],
    ['hex with a 0x prefix', `0x${KEY_THREE}`],
    ['a zero key', '00'.repeat(32)],
    ['an nsec of a zero key', encodeNsec('00'.repeat(32))],
    ['an nsec with a bad checksum', `${encodeNsec(KEY_THREE).slice(0, -1)}q`],
  ])('refuses %s without echoing the input', (_name, input) => {
    const error = expectInfernetError(() => parsePrivateKey(input), 'BAD_REQUEST');
    expect(error.message).not.toContain(input);
    expect(String(error.cause ?? '')).not.toContain(input);
  });
});
