import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { createPublicKeyCache } from './public-key-cache';

function key(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

describe('createPublicKeyCache', () => {
  it('derives once per private key and returns the same public key after', () => {
    const derived: string[] = [];
    const publicKeyOf = createPublicKeyCache((privateKey) => {
      derived.push(bytesToHex(privateKey));
      return schnorr.getPublicKey(privateKey);
    });
    const first = publicKeyOf(key(1));
    expect(publicKeyOf(key(1))).toEqual(first);
    expect(publicKeyOf(Uint8Array.from(key(1)))).toEqual(first);
    expect(bytesToHex(first)).toBe(bytesToHex(schnorr.getPublicKey(key(1))));
    expect(publicKeyOf(key(2))).not.toEqual(first);
    expect(derived).toEqual([bytesToHex(key(1)), bytesToHex(key(2))]);
  });

  it('drops the oldest entry when full', () => {
    let derivations = 0;
    const publicKeyOf = createPublicKeyCache((privateKey) => {
      derivations += 1;
      return schnorr.getPublicKey(privateKey);
    }, 2);
    publicKeyOf(key(1));
    publicKeyOf(key(2));
    publicKeyOf(key(3)); // evicts key 1
    expect(derivations).toBe(3);
    publicKeyOf(key(2));
    publicKeyOf(key(3));
    expect(derivations).toBe(3);
    publicKeyOf(key(1));
    expect(derivations).toBe(4);
  });

  it('hands out copies, so writing into one cannot corrupt the cache', () => {
    const publicKeyOf = createPublicKeyCache((privateKey) => schnorr.getPublicKey(privateKey));
    const expected = bytesToHex(schnorr.getPublicKey(key(5)));
    publicKeyOf(key(5)).fill(0);
    expect(bytesToHex(publicKeyOf(key(5)))).toBe(expected);
  });
});
