import { bech32 } from '@scure/base';
import fc from 'fast-check';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { expectInfernetError } from '../test/expect-infernet-error';
import { decodeNpub, decodeNsec, encodeNpub, encodeNsec } from './nip19';

// From the NIP-19 specification.
const NIP19_PUBLIC_KEY = '3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d';
const NIP19_NPUB = 'npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6';
const NIP19_PRIVATE_KEY = '67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa';
const NIP19_NSEC = 'nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5';

const hexKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => bytesToHex(bytes));

describe('NIP-19 vectors', () => {
  it('encodes and decodes the npub example', () => {
    expect(encodeNpub(NIP19_PUBLIC_KEY)).toBe(NIP19_NPUB);
    expect(decodeNpub(NIP19_NPUB)).toBe(NIP19_PUBLIC_KEY);
  });

  it('encodes and decodes the nsec example', () => {
    expect(encodeNsec(NIP19_PRIVATE_KEY)).toBe(NIP19_NSEC);
    expect(decodeNsec(NIP19_NSEC)).toBe(NIP19_PRIVATE_KEY);
  });

  it('accepts an all-upper-case string, as bech32 allows', () => {
    expect(decodeNpub(NIP19_NPUB.toUpperCase())).toBe(NIP19_PUBLIC_KEY);
  });
});

describe('NIP-19 round trips', () => {
  it('npub and nsec round-trip any 32 bytes', () => {
    fc.assert(
      fc.property(hexKey, (key) => {
        expect(decodeNpub(encodeNpub(key))).toBe(key);
        expect(decodeNsec(encodeNsec(key))).toBe(key);
      }),
      { numRuns: 100 },
    );
  });
});

describe('NIP-19 refusals', () => {
  it.each([
    ['an nsec given as npub', () => decodeNpub(NIP19_NSEC)],
    ['an npub given as nsec', () => decodeNsec(NIP19_NPUB)],
    ['a bad checksum', () => decodeNpub(`${NIP19_NPUB.slice(0, -1)}7`)],
    ['mixed case', () => decodeNpub(`N${NIP19_NPUB.slice(1)}`)],
    ['plain hex', () => decodeNpub(NIP19_PUBLIC_KEY)],
    ['an empty string', () => decodeNsec('')],
    ['31 bytes', () => decodeNpub(bech32.encode('npub', bech32.toWords(new Uint8Array(31))))],
    ['upper-case hex input', () => encodeNpub(NIP19_PUBLIC_KEY.toUpperCase())],
    ['short hex input', () => encodeNsec(NIP19_PRIVATE_KEY.slice(2))],
  ])('throws BAD_REQUEST for %s', (_name, action) => {
    expectInfernetError(action, 'BAD_REQUEST');
  });

  it('never repeats a bad nsec in the error or its cause', () => {
    const badNsec = `${NIP19_NSEC.slice(0, -1)}q`;
    const error = expectInfernetError(() => decodeNsec(badNsec), 'BAD_REQUEST');
    expect(error.message).not.toContain(badNsec);
    expect(error.cause).toBeUndefined();
  });
});
