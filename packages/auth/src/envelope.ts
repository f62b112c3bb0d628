import { ENVELOPE_VERSION, NONCE_MAX_LENGTH } from '@infernet/protocol';
import { encodeBase64url } from './base64url';

/** The decoded `X-Infernet-Auth` header, version 1. */
export interface Envelope {
  v: 1;
  /** BIP-340 x-only public key, 64 lowercase hex characters. */
  pubkey: string;
  /** Unix seconds when the request was signed. */
  created_at: number;
  /** Unique per request and key; 1–128 characters of [A-Za-z0-9_-]. */
  nonce: string;
  /** BIP-340 signature, 128 lowercase hex characters. */
  sig: string;
}

const NONCE_CHARACTERS = /^[A-Za-z0-9_-]+$/;
const textEncoder = new TextEncoder();

/**
 * True for a non-empty nonce of at most NONCE_MAX_LENGTH URL-safe characters.
 * The character set keeps the nonce free of the canonical string's newline
 * separator and safe to use as a storage key.
 */
export function isValidNonce(nonce: unknown): nonce is string {
  return (
    typeof nonce === 'string' && nonce.length <= NONCE_MAX_LENGTH && NONCE_CHARACTERS.test(nonce)
  );
}

/**
 * Serialises an envelope as the header value: base64url (no padding) of
 * compact UTF-8 JSON with the keys in the order v, pubkey, created_at, nonce,
 * sig. The order is fixed here, not taken from the argument, so every signer
 * produces the same bytes for the same envelope.
 *
 * @example
 * headers.set('x-infernet-auth', encodeEnvelopeHeader(envelope));
 */
export function encodeEnvelopeHeader(envelope: Envelope): string {
  const json = JSON.stringify({
    v: ENVELOPE_VERSION,
    pubkey: envelope.pubkey,
    created_at: envelope.created_at,
    nonce: envelope.nonce,
    sig: envelope.sig,
  });
  return encodeBase64url(textEncoder.encode(json));
}
