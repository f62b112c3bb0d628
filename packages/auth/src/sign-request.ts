import { bytesToHex } from '@noble/hashes/utils.js';
import { ENVELOPE_VERSION, InfernetError } from '@infernet/protocol';
import { canonicalDigest } from './canonical-string';
import { encodeEnvelopeHeader, type Envelope } from './envelope';
import { isHexKey, privateKeyBytes } from './keys';
import { parseEnvelopeHeader } from './parse-envelope-header';
import { defaultRandomBytes, takeRandomBytes, type RandomBytes } from './random-bytes';
import { schnorrSignWithPublicKey } from './schnorr';
import type { SignedRequest } from './verify-request';

const NONCE_RANDOM_BYTES = 16;
const AUX_RANDOM_BYTES = 32;

export interface SignRequestInput extends SignedRequest {
  /** 64 lowercase hex characters; use parsePrivateKey for nsec or pasted input. */
  privateKey: string;
  /**
   * Optional: the x-only public key (64 lowercase hex characters) the caller
   * holds for `privateKey`. It is checked, never trusted: a key that is not
   * the private key's gives BAD_REQUEST. Leaving it out costs nothing extra,
   * because the public key is derived once per private key and cached.
   */
  publicKey?: string;
  /** Unix seconds from the caller's clock. */
  createdAt: number;
  /** Defaults to 16 random bytes as 32 lowercase hex characters. */
  nonce?: string;
  /** BIP-340 auxiliary randomness (32 bytes); defaults to 32 bytes from `randomBytes`. */
  auxRandom?: Uint8Array;
  /** Source for the default nonce and aux randomness; defaults to Web Crypto. */
  randomBytes?: RandomBytes;
}

export interface SignedEnvelope {
  /** The `X-Infernet-Auth` header value. */
  header: string;
  envelope: Envelope;
}

/**
 * Signs a request and returns the `X-Infernet-Auth` header value. The
 * signature is verified once, with the verifier the server uses, and the
 * header is parsed back, before it is returned, so a bad signature fails here
 * rather than as a 401 later.
 *
 * In Node this signs with libsecp256k1 compiled to WebAssembly; browser
 * bundles sign with `@noble/curves` (see `schnorrSign`).
 *
 * @throws InfernetError BAD_REQUEST for an invalid key, method, path, time or
 * nonce, or a `publicKey` that is not the private key's; INTERNAL if the
 * signature it produced does not verify.
 * @example
 * const { header } = signRequest({
 *   method: 'POST', path: '/api/v1/node/heartbeat', body,
 *   privateKey, createdAt: Math.floor(clock.now() / 1000),
 * });
 */
export function signRequest(input: SignRequestInput): SignedEnvelope {
  const { method, path, body, createdAt, randomBytes = defaultRandomBytes } = input;
  const secretKey = privateKeyBytes(input.privateKey);
  if (input.publicKey !== undefined && !isHexKey(input.publicKey)) {
    throw new InfernetError('BAD_REQUEST', 'A public key must be 64 lowercase hex characters.');
  }
  const nonce = input.nonce ?? bytesToHex(takeRandomBytes(randomBytes, NONCE_RANDOM_BYTES));
  const digest = canonicalDigest({ method, path, createdAt, nonce, body });
  const auxRandom = input.auxRandom ?? takeRandomBytes(randomBytes, AUX_RANDOM_BYTES);
  // Verifies the signature once against `publicKey` (derived from the private
  // key by the signing backend, cached per key) before it returns.
  const signed = schnorrSignWithPublicKey(digest, secretKey, auxRandom);
  const publicKey = bytesToHex(signed.publicKey);
  if (input.publicKey !== undefined && input.publicKey !== publicKey) {
    // Names neither key: the private one is secret, and the message is enough.
    throw new InfernetError('BAD_REQUEST', 'publicKey is not the public key of privateKey.');
  }

  const envelope: Envelope = {
    v: ENVELOPE_VERSION,
    pubkey: publicKey,
    created_at: createdAt,
    nonce,
    sig: bytesToHex(signed.signature),
  };
  const header = encodeEnvelopeHeader(envelope);
  // A shape check of what goes on the wire (no second signature check).
  if (!parseEnvelopeHeader(header).ok) {
    throw new InfernetError('INTERNAL', 'The header just produced does not parse; not sending it.');
  }
  return { header, envelope };
}
