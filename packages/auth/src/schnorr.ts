import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { InfernetError } from '@infernet/protocol';
// Resolved by package.json "imports": libsecp256k1 (WebAssembly) by default,
// noble under the bundlers' `browser` condition.
import { backendSchnorrVerify } from '#schnorr-backend';
import { backendSchnorrVerify as nobleSchnorrVerify } from './portable-schnorr-verify';
import { defaultRandomBytes } from './random-bytes';

const MESSAGE_HASH_BYTES = 32;
const PRIVATE_KEY_BYTES = 32;
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const AUX_RANDOM_BYTES = 32;

/**
 * BIP-340 signature over a 32-byte message hash, made with `@noble/curves`
 * (audited, pure JavaScript, so the SDK can sign in a browser). Noble checks
 * its own output before returning it.
 *
 * `auxRandom` is the BIP-340 auxiliary randomness; pass fixed bytes only in
 * tests. It defaults to 32 bytes from Web Crypto.
 *
 * @throws InfernetError BAD_REQUEST for wrong lengths or a private key that is
 * zero or not below the curve order.
 * @example
 * const signature = schnorrSign(sha256(message), privateKeyBytes, randomBytes(32));
 */
export function schnorrSign(
  messageHash: Uint8Array,
  privateKey: Uint8Array,
  auxRandom?: Uint8Array,
): Uint8Array {
  requireLength(messageHash, MESSAGE_HASH_BYTES, 'messageHash');
  requireLength(privateKey, PRIVATE_KEY_BYTES, 'privateKey');
  if (auxRandom !== undefined) requireLength(auxRandom, AUX_RANDOM_BYTES, 'auxRandom');
  if (!secp256k1.utils.isValidSecretKey(privateKey)) {
    throw new InfernetError('BAD_REQUEST', 'The private key is not a valid secp256k1 key.');
  }
  try {
    return schnorr.sign(messageHash, privateKey, auxRandom ?? defaultRandomBytes(AUX_RANDOM_BYTES));
  } catch (error) {
    // Inputs are valid by now; noble throws only if its own self-check fails.
    throw new InfernetError('INTERNAL', 'BIP-340 signing failed.', { cause: error });
  }
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
  if (!hasVerifyShapes(signature, messageHash, publicKey)) return false;
  try {
    return backendSchnorrVerify(signature, messageHash, publicKey);
  } catch {
    // tiny-secp256k1 throws, rather than returning false, for a public key off
    // the curve or a signature half at or above the curve order.
    return false;
  }
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
  if (!hasVerifyShapes(signature, messageHash, publicKey)) return false;
  try {
    return nobleSchnorrVerify(signature, messageHash, publicKey);
  } catch {
    return false;
  }
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
