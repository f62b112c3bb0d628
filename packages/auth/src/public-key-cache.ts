import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** A node signs with one key; 256 leaves room for test harnesses and simulators that rotate many. */
const DEFAULT_MAX_ENTRIES = 256;
/** Domain separation, so a cache key is not the plain SHA-256 of a private key. */
const CACHE_KEY_TAG = utf8ToBytes('infernet-auth/public-key-cache/v1\n');

/**
 * Remembers the x-only public key of recently used private keys, so signing
 * does not pay a point multiplication per request to learn the public key it
 * puts in the envelope.
 *
 * Why this is safe:
 * - The private key is never stored. Entries are keyed by a tagged SHA-256 of
 *   it, which reveals nothing about the key, and hold only the public key.
 * - A cached public key is one the backend derived from that same private key,
 *   and every signature is still checked against it before it is returned
 *   (see `schnorr.ts`), so a wrong entry could only make signing fail loudly.
 * - It is bounded: past `maxEntries` the oldest entry is dropped.
 *
 * `derive` must only be called with a validated private key; so must the
 * returned function.
 */
export function createPublicKeyCache(
  derive: (privateKey: Uint8Array) => Uint8Array,
  maxEntries: number = DEFAULT_MAX_ENTRIES,
): (privateKey: Uint8Array) => Uint8Array {
  const entries = new Map<string, Uint8Array>();
  return (privateKey) => {
    const key = bytesToHex(sha256(concatBytes(CACHE_KEY_TAG, privateKey)));
    let publicKey = entries.get(key);
    if (publicKey === undefined) {
      publicKey = Uint8Array.from(derive(privateKey));
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(key, publicKey);
    }
    // A copy, so a caller that writes into the result cannot corrupt the cache.
    return publicKey.slice();
  };
}
