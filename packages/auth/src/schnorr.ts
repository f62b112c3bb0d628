import { secp256k1 } from '@noble/curves/secp256k1.js';
import { InfernetError } from '@infernet/protocol';
// Resolved by package.json "imports": libsecp256k1 (WebAssembly) by default,
// noble under the bundlers' `browser` condition.
import { schnorrBackend } from '#schnorr-backend';
import { schnorrBackend as nobleBackend } from './portable-schnorr';
import { createPublicKeyCache } from './public-key-cache';
import { defaultRandomBytes } from './random-bytes';
import type { SchnorrBackend } from './schnorr-backend';

const MESSAGE_HASH_BYTES = 32;
const PRIVATE_KEY_BYTES = 32;
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const AUX_RANDOM_BYTES = 32;

/** A signature and the x-only public key it verifies under. */
export interface SchnorrSignature {
  signature: Uint8Array;
  publicKey: Uint8Array;
}

export interface SchnorrSigner {
  sign(messageHash: Uint8Array, privateKey: Uint8Array, auxRandom?: Uint8Array): SchnorrSignature;
  verify(signature: Uint8Array, messageHash: Uint8Array, publicKey: Uint8Array): boolean;
}

/**
 * Signing and verification over one backend. Not exported from the package:
 * `schnorrSign`/`schnorrVerify` use the `#schnorr-backend` one, the tests also
 * build one over each backend explicitly (and over faulty ones).
 *
 * Every signature is verified exactly once before it is returned, against the
 * public key that goes out with it, as a guard against faults (a signature
 * computed wrongly can leak the private key). With libsecp256k1 that is one
 * WebAssembly verification here; noble's `sign` already does it itself.
 */
export function createSchnorrSigner(backend: SchnorrBackend): SchnorrSigner {
  const publicKeyOf = createPublicKeyCache((privateKey) => backend.xOnlyPublicKey(privateKey));

  function verify(signature: Uint8Array, messageHash: Uint8Array, publicKey: Uint8Array): boolean {
    if (!hasVerifyShapes(signature, messageHash, publicKey)) return false;
    try {
      return backend.verify(signature, messageHash, publicKey);
    } catch {
      // tiny-secp256k1 throws, rather than returning false, for a public key off
      // the curve or a signature half at or above the curve order.
      return false;
    }
  }

  function sign(
    messageHash: Uint8Array,
    privateKey: Uint8Array,
    auxRandom?: Uint8Array,
  ): SchnorrSignature {
    requireLength(messageHash, MESSAGE_HASH_BYTES, 'messageHash');
    requireLength(privateKey, PRIVATE_KEY_BYTES, 'privateKey');
    if (auxRandom !== undefined) requireLength(auxRandom, AUX_RANDOM_BYTES, 'auxRandom');
    if (!secp256k1.utils.isValidSecretKey(privateKey)) {
      throw new InfernetError('BAD_REQUEST', 'The private key is not a valid secp256k1 key.');
    }
    // The public key is derived by this backend, once per private key (cached).
    // The noble backend relies on that: its own check is against x(d·G).
    const publicKey = publicKeyOf(privateKey);
    let signature: Uint8Array;
    try {
      signature = backend.sign(
        messageHash,
        privateKey,
        auxRandom ?? defaultRandomBytes(AUX_RANDOM_BYTES),
      );
    } catch (error) {
      // Inputs are valid by now; noble throws only if its own self-check fails.
      // The error comes from the backend and never contains the key.
      throw new InfernetError('INTERNAL', 'BIP-340 signing failed.', { cause: error });
    }
    // The one self-verification (fault guard), unless the backend just did it.
    if (!backend.signVerifiesOutput && !verify(signature, messageHash, publicKey)) {
      throw new InfernetError(
        'INTERNAL',
        'The signature just produced does not verify; not returning it.',
      );
    }
    return { signature, publicKey };
  }

  return { sign, verify };
}

const defaultSigner = createSchnorrSigner(schnorrBackend);
const portableSigner = createSchnorrSigner(nobleBackend);

/**
 * BIP-340 signature over a 32-byte message hash. In Node this is
 * libsecp256k1 compiled to WebAssembly (`tiny-secp256k1`), about ten times
 * faster than pure JavaScript; browser bundles get `@noble/curves` instead
 * (see package.json "imports"). Either way the signature is verified once
 * before it is returned.
 *
 * `auxRandom` is the BIP-340 auxiliary randomness; pass fixed bytes only in
 * tests. It defaults to 32 bytes from Web Crypto.
 *
 * @throws InfernetError BAD_REQUEST for wrong lengths or a private key that is
 * zero or not below the curve order; INTERNAL if the signature produced does
 * not verify.
 * @example
 * const signature = schnorrSign(sha256(message), privateKeyBytes, randomBytes(32));
 */
export function schnorrSign(
  messageHash: Uint8Array,
  privateKey: Uint8Array,
  auxRandom?: Uint8Array,
): Uint8Array {
  return defaultSigner.sign(messageHash, privateKey, auxRandom).signature;
}

/**
 * `schnorrSign` that also returns the x-only public key the signature was
 * checked against. Not exported from the package; `signRequest` uses it.
 */
export function schnorrSignWithPublicKey(
  messageHash: Uint8Array,
  privateKey: Uint8Array,
  auxRandom?: Uint8Array,
): SchnorrSignature {
  return defaultSigner.sign(messageHash, privateKey, auxRandom);
}

/**
 * The same signing, always in pure JavaScript (noble). Not exported from the
 * package: it lets the tests hold both implementations to the BIP-340 vectors.
 */
export function portableSchnorrSign(
  messageHash: Uint8Array,
  privateKey: Uint8Array,
  auxRandom?: Uint8Array,
): Uint8Array {
  return portableSigner.sign(messageHash, privateKey, auxRandom).signature;
}

/**
 * BIP-340 verification. In Node this is libsecp256k1 compiled to WebAssembly
 * (`tiny-secp256k1`), several times faster than pure JavaScript, which
 * matters because the server verifies every node request; browser bundles get
 * noble instead (see package.json "imports").
 *
 * Never throws: wrong lengths, a public key that is not on the curve, or
 * anything else hostile is simply `false`.
 *
 * @example
 * if (!schnorrVerify(signature, messageHash, publicKey)) refuse();
 */
export function schnorrVerify(
  signature: Uint8Array,
  messageHash: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return defaultSigner.verify(signature, messageHash, publicKey);
}

/**
 * The same check, always in pure JavaScript (noble). Not exported from the
 * package: it lets the tests hold both implementations to the BIP-340 vectors.
 */
export function portableSchnorrVerify(
  signature: Uint8Array,
  messageHash: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return portableSigner.verify(signature, messageHash, publicKey);
}

function hasVerifyShapes(
  signature: Uint8Array,
  messageHash: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return (
    isBytes(signature, SIGNATURE_BYTES) &&
    isBytes(messageHash, MESSAGE_HASH_BYTES) &&
    isBytes(publicKey, PUBLIC_KEY_BYTES)
  );
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length;
}

function requireLength(value: Uint8Array, length: number, name: string): void {
  if (!isBytes(value, length)) {
    throw new InfernetError('BAD_REQUEST', `${name} must be ${length} bytes.`);
  }
}
