import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { bech32 } from '@scure/base';
import { InfernetError } from '@infernet/protocol';
import { isLowercaseHex } from './lowercase-hex';

const KEY_HEX_LENGTH = 64;
const KEY_BYTES = 32;

/**
 * NIP-19 `npub1…` for an x-only public key, the form Nostr tools show people.
 *
 * @example
 * encodeNpub('3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d');
 * // 'npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6'
 */
export function encodeNpub(publicKeyHex: string): string {
  return encodeKey('npub', publicKeyHex, 'public key');
}

/** Lowercase hex public key from an `npub1…` string. @throws InfernetError BAD_REQUEST */
export function decodeNpub(npub: string): string {
  return decodeKey('npub', npub, 'public key');
}

/** NIP-19 `nsec1…` for a private key. Treat the result as the secret it is. */
export function encodeNsec(privateKeyHex: string): string {
  return encodeKey('nsec', privateKeyHex, 'private key');
}

/** Lowercase hex private key from an `nsec1…` string. @throws InfernetError BAD_REQUEST */
export function decodeNsec(nsec: string): string {
  return decodeKey('nsec', nsec, 'private key');
}

function encodeKey(prefix: 'npub' | 'nsec', keyHex: string, what: string): string {
  if (!isLowercaseHex(keyHex, KEY_HEX_LENGTH)) {
    throw new InfernetError('BAD_REQUEST', `A ${what} must be 64 lowercase hex characters.`);
  }
  return bech32.encode(prefix, bech32.toWords(hexToBytes(keyHex)));
}

function decodeKey(prefix: 'npub' | 'nsec', text: string, what: string): string {
  let bytes: Uint8Array;
  try {
    // bech32 checks the checksum, rejects mixed case and non-zero padding bits.
    const decoded = bech32.decode(text as `${string}1${string}`);
    if (decoded.prefix !== prefix) throw new Error(`prefix is ${decoded.prefix}`);
    bytes = bech32.fromWords(decoded.words);
  } catch (error) {
    // Neither the message nor the cause may carry the input: for nsec it is a
    // secret, and the bech32 library quotes the input in its checksum error.
    const cause = prefix === 'npub' ? error : undefined;
    throw new InfernetError('BAD_REQUEST', `Not a valid ${prefix}1… ${what}.`, { cause });
  }
  if (bytes.length !== KEY_BYTES) {
    throw new InfernetError('BAD_REQUEST', `A ${prefix}1… ${what} must hold exactly 32 bytes.`);
  }
  return bytesToHex(bytes);
}
