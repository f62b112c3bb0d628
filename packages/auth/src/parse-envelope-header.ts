import { AUTH_HEADER_MAX_BYTES, ENVELOPE_VERSION, NONCE_MAX_LENGTH } from '@infernet/protocol';
import { decodeCanonicalBase64url } from './base64url';
import { isValidNonce, type Envelope } from './envelope';
import { isLowercaseHex } from './lowercase-hex';
import { topLevelKeys } from './top-level-keys';

export type ParseEnvelopeResult =
  | { ok: true; envelope: Envelope }
  | { ok: false; reason: 'malformed' | 'unsupported_version'; message: string };

const ENVELOPE_KEYS = ['v', 'pubkey', 'created_at', 'nonce', 'sig'] as const;
const PUBLIC_KEY_HEX_LENGTH = 64;
const SIGNATURE_HEX_LENGTH = 128;
// fatal: invalid UTF-8 is refused, not replaced. ignoreBOM: a leading BOM is kept, so JSON.parse refuses it.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes and checks the shape of an `X-Infernet-Auth` header without looking
 * at the signature. Never throws. The checks run cheapest first, and the
 * length check comes before any decoding, so a hostile header costs little.
 *
 * @example
 * const parsed = parseEnvelopeHeader(request.headers.get('x-infernet-auth'));
 * if (!parsed.ok) return refuse(parsed.reason);
 */
export function parseEnvelopeHeader(header: string | null | undefined): ParseEnvelopeResult {
  if (typeof header !== 'string' || header.length === 0) {
    return malformed('The X-Infernet-Auth header is missing or empty.');
  }
  // UTF-16 length never exceeds UTF-8 length, and any non-ASCII character
  // fails the base64url check next, so this bounds the byte size.
  if (header.length > AUTH_HEADER_MAX_BYTES) {
    return malformed(`The X-Infernet-Auth header is longer than ${AUTH_HEADER_MAX_BYTES} bytes.`);
  }
  const bytes = decodeCanonicalBase64url(header);
  if (bytes === undefined) {
    return malformed('The X-Infernet-Auth header is not canonical unpadded base64url.');
  }
  const value = parseJsonObject(bytes);
  if (value === undefined) {
    return malformed(
      'The X-Infernet-Auth header does not hold a JSON object without duplicate keys.',
    );
  }
  return checkFields(value);
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let text: string;
  let value: unknown;
  try {
    text = utf8Decoder.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = topLevelKeys(text);
  if (new Set(keys).size !== keys.length) return undefined;
  return value as Record<string, unknown>;
}

function checkFields(value: Record<string, unknown>): ParseEnvelopeResult {
  // The version is read before the key set so a future version with other
  // fields is reported as unsupported rather than malformed.
  if (typeof value.v !== 'number') {
    return malformed('The envelope field v must be the number 1.');
  }
  if (value.v !== ENVELOPE_VERSION) {
    return {
      ok: false,
      reason: 'unsupported_version',
      message: `Envelope version ${String(value.v)} is not supported; this server speaks version ${ENVELOPE_VERSION}.`,
    };
  }
  const keys = Object.keys(value);
  if (
    keys.length !== ENVELOPE_KEYS.length ||
    !ENVELOPE_KEYS.every((key) => Object.hasOwn(value, key))
  ) {
    return malformed(
      'The envelope must have exactly the keys v, pubkey, created_at, nonce and sig.',
    );
  }
  const { pubkey, created_at: createdAt, nonce, sig } = value;
  if (!isLowercaseHex(pubkey, PUBLIC_KEY_HEX_LENGTH)) {
    return malformed('The envelope pubkey must be 64 lowercase hex characters.');
  }
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt)) {
    return malformed('The envelope created_at must be an integer number of Unix seconds.');
  }
  if (!isValidNonce(nonce)) {
    return malformed(
      `The envelope nonce must be 1 to ${NONCE_MAX_LENGTH} characters of A-Z, a-z, 0-9, - and _.`,
    );
  }
  if (!isLowercaseHex(sig, SIGNATURE_HEX_LENGTH)) {
    return malformed('The envelope sig must be 128 lowercase hex characters.');
  }
  return {
    ok: true,
    envelope: { v: ENVELOPE_VERSION, pubkey, created_at: createdAt, nonce, sig },
  };
}

function malformed(message: string): ParseEnvelopeResult {
  return { ok: false, reason: 'malformed', message };
}
