import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ENVELOPE_VERSION, InfernetError } from '@infernet/protocol';
import { canonicalDigest } from './canonical-string';
import { encodeEnvelopeHeader, type Envelope } from './envelope';
import { privateKeyBytes, publicKeyFromPrivateKey } from './keys';
import { parseEnvelopeHeader } from './parse-envelope-header';
import { defaultRandomBytes, takeRandomBytes, type RandomBytes } from './random-bytes';
import { schnorrSign, schnorrVerify } from './schnorr';
import type { SignedRequest } from './verify-request';

const NONCE_RANDOM_BYTES = 16;
const AUX_RANDOM_BYTES = 32;

export interface SignRequestInput extends SignedRequest {
  /** 64 lowercase hex characters; use parsePrivateKey for nsec or pasted input. */
  privateKey: string;
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
 * Signs a request and returns the `X-Infernet-Auth` header value. The result
 * is parsed and verified, with the verifier the server uses, before it is
 * returned, so a bad signature fails here rather than as a 401 later.
 *
 * @throws InfernetError BAD_REQUEST for an invalid key, method, path, time or
 * nonce; INTERNAL if the signature it produced does not verify.
 * @example
 * const { header } = signRequest({
 *   method: 'POST', path: '/api/v1/node/heartbeat', body,
 *   privateKey, createdAt: Math.floor(clock.now() / 1000),
 * });
 */
export function signRequest(input: SignRequestInput): SignedEnvelope {
  const { method, path, body, createdAt, randomBytes = defaultRandomBytes } = input;
  const secretKey = privateKeyBytes(input.privateKey);
  const publicKey = publicKeyFromPrivateKey(input.privateKey);
  const nonce = input.nonce ?? bytesToHex(takeRandomBytes(randomBytes, NONCE_RANDOM_BYTES));
  const digest = canonicalDigest({ method, path, createdAt, nonce, body });
  const auxRandom = input.auxRandom ?? takeRandomBytes(randomBytes, AUX_RANDOM_BYTES);
  const signature = schnorrSign(digest, secretKey, auxRandom);

  const envelope: Envelope = {
    v: ENVELOPE_VERSION,
    pubkey: publicKey,
    created_at: createdAt,
    nonce,
    sig: bytesToHex(signature),
  };
  const header = encodeEnvelopeHeader(envelope);
  if (!parseEnvelopeHeader(header).ok || !schnorrVerify(signature, digest, hexToBytes(publicKey))) {
    throw new InfernetError(
      'INTERNAL',
      'The signature just produced does not verify; not sending it.',
    );
  }
  return { header, envelope };
}
