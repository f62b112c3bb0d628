import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InfernetError } from '@infernet/protocol';
import { isLowercaseHex } from './lowercase-hex';
import { privateKeyBytes } from './keys';
import { defaultRandomBytes, takeRandomBytes, type RandomBytes } from './random-bytes';
import { schnorrSignWithPublicKey, schnorrVerify } from './schnorr';
import { sha256Bytes } from './sha256-hex';

/** Which end of the TCP connection signs: the side that dialled, or the side that accepted. */
export type P2pRole = 'initiator' | 'responder';

/** Both hellos of one connection: each side's x-only key and 32-byte challenge, as lowercase hex. */
export interface P2pHandshakeTranscript {
  initiator: { publicKey: string; challenge: string };
  responder: { publicKey: string; challenge: string };
}

const DOMAIN = 'infernet/p2p/v1/handshake';

/**
 * The 32 bytes a side signs to prove its key: SHA-256 of a domain-separated
 * string naming the signer's role and both keys and both challenges. Fresh
 * challenges from both ends make it unique to one connection, the keys bind
 * it to these two peers, and the role keeps one side's proof from being
 * reflected back as the other's (even when a node dials itself).
 *
 * `infernet/p2p/v1/handshake\n<role>\n<initiator key>\n<initiator challenge>\n<responder key>\n<responder challenge>`
 */
export function p2pHandshakeDigest(role: P2pRole, transcript: P2pHandshakeTranscript): Uint8Array {
  const { initiator, responder } = transcript;
  for (const [label, value, length] of [
    ['initiator public key', initiator.publicKey, 64],
    ['initiator challenge', initiator.challenge, 64],
    ['responder public key', responder.publicKey, 64],
    ['responder challenge', responder.challenge, 64],
  ] as const) {
    if (!isLowercaseHex(value, length)) {
      throw new InfernetError('BAD_REQUEST', `The ${label} must be ${length} lowercase hex.`);
    }
  }
  return sha256Bytes(
    [
      DOMAIN,
      role,
      initiator.publicKey,
      initiator.challenge,
      responder.publicKey,
      responder.challenge,
    ].join('\n'),
  );
}

/** A fresh 32-byte challenge as lowercase hex. */
export function p2pChallenge(randomBytes: RandomBytes = defaultRandomBytes): string {
  return bytesToHex(takeRandomBytes(randomBytes, 32));
}

/**
 * Signs this side's proof. The private key must belong to the transcript's
 * key for `role`, or BAD_REQUEST: a node never signs for another key.
 */
export function signP2pHandshake(input: {
  role: P2pRole;
  transcript: P2pHandshakeTranscript;
  privateKey: string;
}): string {
  const { role, transcript, privateKey } = input;
  const { signature, publicKey } = schnorrSignWithPublicKey(
    p2pHandshakeDigest(role, transcript),
    privateKeyBytes(privateKey),
  );
  if (bytesToHex(publicKey) !== transcript[role].publicKey) {
    throw new InfernetError('BAD_REQUEST', 'The private key does not match the hello it signs.');
  }
  return bytesToHex(signature);
}

/** Checks the peer's proof for `role`. Never throws: anything malformed is `false`. */
export function verifyP2pHandshake(input: {
  role: P2pRole;
  transcript: P2pHandshakeTranscript;
  signature: string;
}): boolean {
  const { role, transcript, signature } = input;
  if (!isLowercaseHex(signature, 128)) return false;
  let digest: Uint8Array;
  try {
    digest = p2pHandshakeDigest(role, transcript);
  } catch {
    return false;
  }
  return schnorrVerify(hexToBytes(signature), digest, hexToBytes(transcript[role].publicKey));
}
