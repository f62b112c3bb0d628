import { InfernetError, NONCE_MAX_LENGTH } from '@infernet/protocol';
import { isValidNonce } from './envelope';
import { sha256Bytes, sha256Hex } from './sha256-hex';

export interface CanonicalStringInput {
  method: string;
  /** Pathname plus query, exactly as sent on the wire (already percent-encoded). */
  path: string;
  /** Unix seconds. */
  createdAt: number;
  nonce: string;
  /** The exact body bytes; a string stands for its UTF-8 bytes. */
  body: string | Uint8Array;
}

/** RFC 9110 token characters: what an HTTP method may consist of. */
const HTTP_METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A request target on the wire is visible ASCII; anything else would be percent-encoded. */
const WIRE_PATH = /^[\x21-\x7e]+$/;

/**
 * The exact text a request signature covers:
 * `METHOD \n path-with-query \n created_at \n nonce \n sha256_hex(body)`.
 *
 * The method is used as given, without case folding, and every field is
 * checked to be free of newlines, so two different requests can never share a
 * canonical string.
 *
 * @throws InfernetError BAD_REQUEST when a field could not appear in a real
 * HTTP request (a method that is not a token, a path with spaces, control or
 * non-ASCII characters, a non-integer time, an invalid nonce).
 * @example
 * canonicalString({ method: 'GET', path: '/api/v1/node/me', createdAt: 1764071995, nonce: 'aa', body: '' });
 * // 'GET\n/api/v1/node/me\n1764071995\naa\ne3b0c442…b855'
 */
export function canonicalString(input: CanonicalStringInput): string {
  const { method, path, createdAt, nonce, body } = input;
  if (typeof method !== 'string' || !HTTP_METHOD.test(method)) {
    throw new InfernetError(
      'BAD_REQUEST',
      'The request method must be an HTTP token such as POST.',
    );
  }
  if (typeof path !== 'string' || !WIRE_PATH.test(path)) {
    throw new InfernetError(
      'BAD_REQUEST',
      'The request path must be the path and query exactly as sent: visible ASCII, percent-encoded.',
    );
  }
  if (!Number.isSafeInteger(createdAt)) {
    throw new InfernetError('BAD_REQUEST', 'createdAt must be an integer number of Unix seconds.');
  }
  if (!isValidNonce(nonce)) {
    throw new InfernetError(
      'BAD_REQUEST',
      `The nonce must be 1 to ${NONCE_MAX_LENGTH} characters of A-Z, a-z, 0-9, - and _.`,
    );
  }
  return `${method}\n${path}\n${createdAt}\n${nonce}\n${sha256Hex(body)}`;
}

/** SHA-256 of the canonical string's UTF-8 bytes: the 32-byte message BIP-340 signs. */
export function canonicalDigest(input: CanonicalStringInput): Uint8Array {
  return sha256Bytes(canonicalString(input));
}
