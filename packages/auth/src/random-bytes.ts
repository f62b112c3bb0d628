import { InfernetError } from '@infernet/protocol';

/** A source of cryptographically secure random bytes, injected so tests can be deterministic. */
export type RandomBytes = (length: number) => Uint8Array;

/**
 * Web Crypto randomness, present in browsers and as a global in Node 20+,
 * so the package needs no `node:crypto` import and stays browser-safe.
 *
 * @example
 * const nonce = defaultRandomBytes(16);
 */
export function defaultRandomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

/** Calls an injected source and refuses short or wrong-typed output, which would silently weaken keys. */
export function takeRandomBytes(randomBytes: RandomBytes, length: number): Uint8Array {
  const bytes = randomBytes(length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new InfernetError('INTERNAL', `The random source did not return ${length} bytes.`);
  }
  return bytes;
}
