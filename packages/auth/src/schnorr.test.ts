import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { expectInfernetError } from '../test/expect-infernet-error';
import { loadBip340Vectors } from '../test/load-fixtures';
import { SCHNORR_BACKEND } from '#schnorr-backend';
import { portableSchnorrVerify, schnorrSign, schnorrVerify } from './schnorr';

const vectors = loadBip340Vectors();

describe('BIP-340 reference vectors', () => {
  it('verifies with libsecp256k1 (WebAssembly) under Node', () => {
    expect(SCHNORR_BACKEND).toBe('libsecp256k1-wasm');
  });

  it('has all 15 rows of the official CSV', () => {
    expect(vectors.map((vector) => vector.index)).toEqual([...Array(15).keys()]);
  });

  const signingRows = vectors.filter((vector) => vector.secretKey !== '');
  it.each(signingRows.map((vector) => [vector.index, vector] as const))(
    'row %i: signs with aux_rand to the exact signature',
    (_index, vector) => {
      const secretKey = hexToBytes(vector.secretKey);
      expect(bytesToHex(schnorr.getPublicKey(secretKey))).toBe(vector.publicKey.toLowerCase());
      const signature = schnorrSign(
        hexToBytes(vector.message),
        secretKey,
        hexToBytes(vector.auxRandom),
      );
      expect(bytesToHex(signature)).toBe(vector.signature.toLowerCase());
    },
  );

  it.each(vectors.map((vector) => [vector.index, vector.comment, vector] as const))(
    'row %i (%s): the WASM and the noble verifier agree with the expected result',
    (_index, _comment, vector) => {
      const signature = hexToBytes(vector.signature);
      const message = hexToBytes(vector.message);
      const publicKey = hexToBytes(vector.publicKey);
      expect(schnorrVerify(signature, message, publicKey)).toBe(vector.expectedValid);
      expect(portableSchnorrVerify(signature, message, publicKey)).toBe(vector.expectedValid);
    },
  );
});

describe('schnorrVerify on hostile input', () => {
  const [first] = vectors;
  if (first === undefined) throw new Error('no vectors');
  const signature = hexToBytes(first.signature);
  const message = hexToBytes(first.message);
  const publicKey = hexToBytes(first.publicKey);

  it.each([
    ['a short signature', signature.subarray(1), message, publicKey],
    ['a long message hash', signature, new Uint8Array(33), publicKey],
    ['a 33-byte public key', signature, message, new Uint8Array(33)],
    ['an all-0xff public key', signature, message, new Uint8Array(32).fill(0xff)],
    ['an all-0xff signature', new Uint8Array(64).fill(0xff), message, publicKey],
    ['a string instead of bytes', 'x' as unknown as Uint8Array, message, publicKey],
  ])('returns false, never throws, for %s', (_name, badSignature, badMessage, badKey) => {
    expect(schnorrVerify(badSignature, badMessage, badKey)).toBe(false);
    expect(portableSchnorrVerify(badSignature, badMessage, badKey)).toBe(false);
  });
});

describe('schnorrSign input checks', () => {
  const message = new Uint8Array(32);

  it.each([
    ['a zero private key', new Uint8Array(32)],
    [
      'a private key equal to the curve order',
      hexToBytes('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'),
    ],
    ['a 31-byte private key', new Uint8Array(31).fill(1)],
  ])('throws BAD_REQUEST for %s', (_name, privateKey) => {
    expectInfernetError(() => schnorrSign(message, privateKey), 'BAD_REQUEST');
  });

  it('refuses aux randomness that is not 32 bytes', () => {
    const privateKey = new Uint8Array(32).fill(1);
    expect(() => schnorrSign(message, privateKey, new Uint8Array(16))).toThrow(/auxRandom/);
  });
});
