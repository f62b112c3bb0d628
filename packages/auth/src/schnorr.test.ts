import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { expectInfernetError } from '../test/expect-infernet-error';
import { loadBip340Vectors } from '../test/load-fixtures';
import { SCHNORR_BACKEND } from '#schnorr-backend';
import { schnorrBackend as nobleBackend } from './portable-schnorr';
import {
  createSchnorrSigner,
  portableSchnorrSign,
  portableSchnorrVerify,
  schnorrSign,
  schnorrSignWithPublicKey,
  schnorrVerify,
} from './schnorr';
import type { SchnorrBackend } from './schnorr-backend';
import { schnorrBackend as wasmBackend } from './wasm-schnorr';

const vectors = loadBip340Vectors();

describe('BIP-340 reference vectors', () => {
  it('signs and verifies with libsecp256k1 (WebAssembly) under Node', () => {
    expect(SCHNORR_BACKEND).toBe('libsecp256k1-wasm');
  });

  it('has all 15 rows of the official CSV', () => {
    expect(vectors.map((vector) => vector.index)).toEqual([...Array(15).keys()]);
  });

  const signingRows = vectors.filter((vector) => vector.secretKey !== '');
  it('has signing rows', () => {
    expect(signingRows.length).toBeGreaterThanOrEqual(4);
  });

  const signers = [
    ['libsecp256k1 (WebAssembly)', schnorrSign, wasmBackend],
    ['noble', portableSchnorrSign, nobleBackend],
  ] as const;
  describe.each(signers)('signing with %s', (_name, sign, backend) => {
    it.each(signingRows.map((vector) => [vector.index, vector] as const))(
      'row %i: derives the public key and signs with aux_rand to the exact signature',
      (_index, vector) => {
        const secretKey = hexToBytes(vector.secretKey);
        expect(bytesToHex(backend.xOnlyPublicKey(secretKey))).toBe(vector.publicKey.toLowerCase());
        const signature = sign(hexToBytes(vector.message), secretKey, hexToBytes(vector.auxRandom));
        expect(bytesToHex(signature)).toBe(vector.signature.toLowerCase());
      },
    );
  });

  it.each(signingRows.map((vector) => [vector.index, vector] as const))(
    'row %i: schnorrSignWithPublicKey returns the vector public key',
    (_index, vector) => {
      const signed = schnorrSignWithPublicKey(
        hexToBytes(vector.message),
        hexToBytes(vector.secretKey),
        hexToBytes(vector.auxRandom),
      );
      expect(bytesToHex(signed.publicKey)).toBe(vector.publicKey.toLowerCase());
      expect(bytesToHex(signed.signature)).toBe(vector.signature.toLowerCase());
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

/** Wraps a backend, counting calls and optionally corrupting what `sign` returns. */
function instrumented(
  backend: SchnorrBackend,
  corrupt?: (signature: Uint8Array) => Uint8Array,
): SchnorrBackend & { calls: { sign: number; verify: number; xOnlyPublicKey: number } } {
  const calls = { sign: 0, verify: 0, xOnlyPublicKey: 0 };
  return {
    name: backend.name,
    signVerifiesOutput: backend.signVerifiesOutput,
    calls,
    verify: (...args) => {
      calls.verify += 1;
      return backend.verify(...args);
    },
    sign: (...args) => {
      calls.sign += 1;
      const signature = backend.sign(...args);
      return corrupt === undefined ? signature : corrupt(signature);
    },
    xOnlyPublicKey: (privateKey) => {
      calls.xOnlyPublicKey += 1;
      return backend.xOnlyPublicKey(privateKey);
    },
  };
}

describe('self-verification of signatures (fault guard)', () => {
  const privateKey = hexToBytes('b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef');
  const message = new Uint8Array(32).fill(7);

  it('verifies each libsecp256k1 signature exactly once, against the derived public key', () => {
    const backend = instrumented(wasmBackend);
    const signer = createSchnorrSigner(backend);
    for (let round = 1; round <= 3; round += 1) {
      const { signature, publicKey } = signer.sign(message, privateKey);
      expect(backend.calls).toEqual({ sign: round, verify: round, xOnlyPublicKey: 1 });
      expect(bytesToHex(publicKey)).toBe(bytesToHex(schnorr.getPublicKey(privateKey)));
      expect(schnorr.verify(signature, message, publicKey)).toBe(true);
    }
  });

  it('does not verify a second time after noble, whose sign checks its own output', () => {
    const backend = instrumented(nobleBackend);
    const signer = createSchnorrSigner(backend);
    const { signature, publicKey } = signer.sign(message, privateKey);
    expect(backend.calls).toEqual({ sign: 1, verify: 0, xOnlyPublicKey: 1 });
    expect(schnorrVerify(signature, message, publicKey)).toBe(true);
  });

  it('refuses with INTERNAL, naming no key, a faulty signature from libsecp256k1', () => {
    const flipLastBit = (signature: Uint8Array) => {
      const faulty = Uint8Array.from(signature);
      faulty[63] = (faulty[63] ?? 0) ^ 1;
      return faulty;
    };
    const signer = createSchnorrSigner(instrumented(wasmBackend, flipLastBit));
    const error = expectInfernetError(() => signer.sign(message, privateKey), 'INTERNAL');
    expect(error.message).not.toContain(bytesToHex(privateKey));
  });

  it('turns a backend that throws while signing into INTERNAL', () => {
    const signer = createSchnorrSigner({
      ...wasmBackend,
      sign: () => {
        throw new Error('sign: Invalid signature produced');
      },
    });
    const error = expectInfernetError(() => signer.sign(message, privateKey), 'INTERNAL');
    expect(error.message).not.toContain(bytesToHex(privateKey));
  });
});
