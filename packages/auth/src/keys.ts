import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InfernetError } from '@infernet/protocol';
import { isLowercaseHex } from './lowercase-hex';
import { decodeNsec } from './nip19';
import { defaultRandomBytes, takeRandomBytes, type RandomBytes } from './random-bytes';

const KEY_HEX_LENGTH = 64;
const PRIVATE_KEY_BYTES = 32;
/** The chance of drawing an invalid scalar is about 2^-128; repeated failures mean a broken source. */
const KEY_GENERATION_ATTEMPTS = 8;

/** A node identity: lowercase hex, 64 characters each; `publicKey` is the BIP-340 x-only key. */
export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * True for exactly 64 lowercase hex characters, the only spelling of a key
 * the protocol accepts.
 *
 * @example
 * isHexKey('ab'.repeat(32)); // true
 * isHexKey('AB'.repeat(32)); // false
 */
export function isHexKey(value: string): boolean {
  return isLowercaseHex(value, KEY_HEX_LENGTH);
}

/**
 * Creates a key pair from 32 random bytes, drawing again in the (astronomically
 * unlikely) case the bytes are zero or not below the curve order.
 *
 * @example
 * const { privateKey, publicKey } = generateKeyPair();
 */
export function generateKeyPair(randomBytes: RandomBytes = defaultRandomBytes): KeyPair {
  for (let attempt = 0; attempt < KEY_GENERATION_ATTEMPTS; attempt += 1) {
    const candidate = takeRandomBytes(randomBytes, PRIVATE_KEY_BYTES);
    if (secp256k1.utils.isValidSecretKey(candidate)) {
      return {
        privateKey: bytesToHex(candidate),
        publicKey: bytesToHex(schnorr.getPublicKey(candidate)),
      };
    }
  }
  throw new InfernetError(
    'INTERNAL',
    `The random source gave ${KEY_GENERATION_ATTEMPTS} invalid private keys in a row.`,
  );
}

/**
 * Derives the BIP-340 x-only public key (lowercase hex).
 *
 * @throws InfernetError BAD_REQUEST when the input is not 64 lowercase hex
 * characters or is not a valid secp256k1 scalar (zero, or at least the order).
 * @example
 * publicKeyFromPrivateKey('00'.repeat(31) + '03'); // 'f9308a01…36f9'
 */
export function publicKeyFromPrivateKey(privateKeyHex: string): string {
  return bytesToHex(schnorr.getPublicKey(privateKeyBytes(privateKeyHex)));
}

/**
 * Turns what a person typed or pasted (lowercase hex or an `nsec1…` string,
 * surrounding whitespace ignored) into a lowercase hex private key. Error
 * messages never repeat the input, because it is a secret.
 *
 * @throws InfernetError BAD_REQUEST with a message saying which forms are accepted.
 * @example
 * parsePrivateKey('nsec1…'); // '…64 lowercase hex…'
 */
export function parsePrivateKey(input: string): string {
  const trimmed = typeof input === 'string' ? input.trim() : '';
  if (trimmed.toLowerCase().startsWith('nsec1')) {
    const decoded = decodeNsec(trimmed);
    privateKeyBytes(decoded);
    return decoded;
  }
  if (/^[0-9A-Fa-f]{64}$/.test(trimmed) && !isHexKey(trimmed)) {
    throw new InfernetError(
      'BAD_REQUEST',
      'The private key has upper-case hex digits; write it in lowercase hex (64 characters) or as nsec1….',
    );
  }
  if (!isHexKey(trimmed)) {
    throw new InfernetError(
      'BAD_REQUEST',
      'A private key must be 64 lowercase hex characters or an nsec1… string.',
    );
  }
  privateKeyBytes(trimmed);
  return trimmed;
}

/** Validates a hex private key and returns its 32 bytes. */
export function privateKeyBytes(privateKeyHex: string): Uint8Array {
  if (!isHexKey(privateKeyHex)) {
    throw new InfernetError('BAD_REQUEST', 'A private key must be 64 lowercase hex characters.');
  }
  const bytes = hexToBytes(privateKeyHex);
  if (!secp256k1.utils.isValidSecretKey(bytes)) {
    throw new InfernetError(
      'BAD_REQUEST',
      'The private key is not a valid secp256k1 key (it must be between 1 and the curve order).',
    );
  }
  return bytes;
}
