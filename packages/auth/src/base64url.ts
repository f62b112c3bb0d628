import { base64urlnopad } from '@scure/base';

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

/** base64url without padding (RFC 4648 §5), the header's outer encoding. */
export function encodeBase64url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/**
 * Decodes base64url only in its one canonical spelling: URL-safe alphabet,
 * no padding, no whitespace, and zero unused bits in the last character.
 * Anything else is `undefined`, so one envelope never has two valid headers.
 */
export function decodeCanonicalBase64url(text: string): Uint8Array | undefined {
  if (!BASE64URL_ALPHABET.test(text)) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = base64urlnopad.decode(text);
  } catch {
    return undefined;
  }
  // The decoder already refuses stray bits; re-encoding makes the rule explicit and decoder-proof.
  return encodeBase64url(bytes) === text ? bytes : undefined;
}
