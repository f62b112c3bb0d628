import { hexToBytes } from '@noble/hashes/utils.js';
import { REPLAY_WINDOW_SECONDS } from '@infernet/protocol';
import { canonicalDigest } from './canonical-string';
import type { Envelope } from './envelope';
import { parseEnvelopeHeader } from './parse-envelope-header';
import type { ReplayStore } from './replay-store';
import { schnorrVerify } from './schnorr';
import type { VerifyFailureReason } from './verify-failure';

/** The request as the server received it. */
export interface SignedRequest {
  method: string;
  /** Pathname plus query, exactly as sent (for example from `new URL(request.url)`). */
  path: string;
  /** The raw body bytes; a string stands for its UTF-8 bytes. */
  body: string | Uint8Array;
}

export type VerifyResult =
  | { ok: true; publicKey: string; envelope: Envelope }
  | { ok: false; reason: VerifyFailureReason; message: string };

export interface VerifyRequestInput {
  header: string | null | undefined;
  request: SignedRequest;
  /** The server clock in Unix seconds. */
  now: number;
  /** Allowed clock difference either way; defaults to REPLAY_WINDOW_SECONDS. */
  windowSeconds?: number;
  /** Without a store nonces are not checked; servers must pass one. */
  replayStore?: ReplayStore;
}

/**
 * Checks an `X-Infernet-Auth` header against the request it came with.
 * Cheap checks run first (size, encoding, shape, clock), then the BIP-340
 * signature, and only a request that passes all of them spends a nonce in
 * the replay store, so forged requests cannot fill it.
 *
 * Resolves a result for any hostile input; it rejects only if the replay
 * store itself fails (a database outage is not an authentication failure).
 *
 * @example
 * const result = await verifyRequest({ header, request: { method, path, body }, now, replayStore });
 * if (!result.ok) throw new InfernetError(reasonToErrorCode(result.reason), result.message);
 */
export async function verifyRequest(input: VerifyRequestInput): Promise<VerifyResult> {
  const { header, request, now, windowSeconds = REPLAY_WINDOW_SECONDS, replayStore } = input;
  const parsed = parseEnvelopeHeader(header);
  if (!parsed.ok) return parsed;
  const { envelope } = parsed;

  // Written so that NaN on either side fails closed.
  if (!(Math.abs(now - envelope.created_at) <= windowSeconds)) {
    return failure(
      'stale_timestamp',
      `The request was signed at ${envelope.created_at}, more than ${windowSeconds} s from the server time ${Math.floor(now)}; check the node clock.`,
    );
  }

  if (!hasValidSignature(envelope, request)) {
    return failure('bad_signature', 'The signature does not match this request and public key.');
  }

  if (replayStore !== undefined) {
    // One second past the last instant the window still accepts this created_at.
    const expiresAt = new Date((envelope.created_at + windowSeconds + 1) * 1000);
    const isFirstUse = await replayStore.remember(envelope.pubkey, envelope.nonce, expiresAt);
    if (!isFirstUse) {
      return failure('replayed_nonce', 'This nonce was already used with this public key.');
    }
  }
  return { ok: true, publicKey: envelope.pubkey, envelope };
}

function hasValidSignature(envelope: Envelope, request: SignedRequest): boolean {
  let digest: Uint8Array;
  try {
    digest = canonicalDigest({
      method: request.method,
      path: request.path,
      createdAt: envelope.created_at,
      nonce: envelope.nonce,
      body: request.body,
    });
  } catch {
    // A method or path no signer could have covered (see canonicalString).
    return false;
  }
  // A pubkey that is not on the curve is a bad signature, not a malformed header.
  return schnorrVerify(hexToBytes(envelope.sig), digest, hexToBytes(envelope.pubkey));
}

function failure(reason: VerifyFailureReason, message: string): VerifyResult {
  return { ok: false, reason, message };
}
