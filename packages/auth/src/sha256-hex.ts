import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const textEncoder = new TextEncoder();

/** Strings are hashed as their UTF-8 bytes, the bytes an HTTP client sends for them. */
export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? textEncoder.encode(data) : data;
}

/**
 * Lowercase hex SHA-256 of a string (as UTF-8) or of raw bytes.
 *
 * @example
 * sha256Hex(''); // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export function sha256Hex(data: string | Uint8Array): string {
  return bytesToHex(sha256(toBytes(data)));
}

/** Raw SHA-256 digest, the 32-byte message BIP-340 signs. */
export function sha256Bytes(data: string | Uint8Array): Uint8Array {
  return sha256(toBytes(data));
}
