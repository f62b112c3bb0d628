import { ERROR_TABLE } from '@infernet/protocol';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { loadEnvelopeVectors } from '../test/load-fixtures';
import { canonicalDigest, canonicalString } from './canonical-string';
import { encodeEnvelopeHeader } from './envelope';
import { publicKeyFromPrivateKey } from './keys';
import { parseEnvelopeHeader } from './parse-envelope-header';
import { MemoryReplayStore } from './replay-store';
import { portableSchnorrVerify } from './schnorr';
import { sha256Hex } from './sha256-hex';
import { signRequest } from './sign-request';
import { reasonToErrorCode } from './verify-failure';
import { verifyRequest } from './verify-request';

const vectors = loadEnvelopeVectors();
const { now } = vectors;

/**
 * The vector file does not record the BIP-340 aux randomness. These values
 * reproduce its signatures exactly with noble: 32 zero bytes for every vector
 * except the one named for using other aux randomness, which used 32 bytes of 0xff.
 */
const AUX_RANDOM_BY_VECTOR: Record<string, Uint8Array> = {
  'second-key-aux-rand': new Uint8Array(32).fill(0xff),
};
const DEFAULT_AUX_RANDOM = new Uint8Array(32);

function privateKeyFor(publicKey: string): string {
  const key = vectors.keys.find((candidate) => candidate.public_key === publicKey);
  if (key === undefined) throw new Error(`no private key for ${publicKey}`);
  return key.private_key;
}

describe('envelope v1 vectors: keys', () => {
  it.each(vectors.keys.map((key) => [key.public_key, key] as const))(
    'derives %s from its private key',
    (_publicKey, key) => {
      expect(publicKeyFromPrivateKey(key.private_key)).toBe(key.public_key);
    },
  );

  it('uses the protocol replay window', () => {
    expect(vectors.replay_window_seconds).toBe(60);
  });
});

describe.each(vectors.valid.map((vector) => [vector.name, vector] as const))(
  'valid vector %s',
  (_name, vector) => {
    const { request, envelope } = vector;
    const canonicalInput = {
      ...request,
      createdAt: envelope.created_at,
      nonce: envelope.nonce,
    };

    it('has the expected body hash, canonical string and digest', () => {
      expect(sha256Hex(request.body)).toBe(vector.body_sha256);
      expect(sha256Hex(new TextEncoder().encode(request.body))).toBe(vector.body_sha256);
      expect(canonicalString(canonicalInput)).toBe(vector.canonical);
      expect(bytesToHex(canonicalDigest(canonicalInput))).toBe(vector.digest);
      expect(sha256Hex(vector.canonical)).toBe(vector.digest);
    });

    it('round-trips the header', () => {
      const parsed = parseEnvelopeHeader(vector.header);
      expect(parsed).toEqual({ ok: true, envelope });
      expect(encodeEnvelopeHeader(envelope)).toBe(vector.header);
    });

    it('verifies with the clock at now, with and without a replay store', async () => {
      const result = await verifyRequest({ header: vector.header, request, now });
      expect(result).toEqual({ ok: true, publicKey: envelope.pubkey, envelope });
      const replayStore = new MemoryReplayStore();
      const stored = await verifyRequest({ header: vector.header, request, now, replayStore });
      expect(stored.ok).toBe(true);
      expect(replayStore.size).toBe(1);
      expect(
        portableSchnorrVerify(
          hexToBytes(envelope.sig),
          hexToBytes(vector.digest),
          hexToBytes(envelope.pubkey),
        ),
      ).toBe(true);
    });

    it('is reproduced exactly by signRequest with its key, nonce, time and aux randomness', () => {
      const signed = signRequest({
        ...request,
        privateKey: privateKeyFor(envelope.pubkey),
        createdAt: envelope.created_at,
        nonce: envelope.nonce,
        auxRandom: AUX_RANDOM_BY_VECTOR[vector.name] ?? DEFAULT_AUX_RANDOM,
      });
      expect(signed).toEqual({ header: vector.header, envelope });
    });
  },
);

describe('invalid vectors', () => {
  it.each(vectors.invalid.map((vector) => [vector.name, vector.reason, vector] as const))(
    '%s is refused as %s',
    async (_name, reason, vector) => {
      const replayStore = new MemoryReplayStore();
      const result = await verifyRequest({
        header: vector.header,
        request: vector.request,
        now,
        replayStore,
      });
      expect(result).toMatchObject({ ok: false, reason });
      if (!result.ok) expect(result.message).not.toBe('');
      // A refused request never spends a nonce.
      expect(replayStore.size).toBe(0);
    },
  );

  it('expired and from-future carry real signatures: only the clock refuses them', async () => {
    for (const name of ['expired', 'from-future']) {
      const vector = vectors.invalid.find((candidate) => candidate.name === name);
      if (vector === undefined) throw new Error(`missing vector ${name}`);
      const result = await verifyRequest({
        header: vector.header,
        request: vector.request,
        now,
        windowSeconds: 120,
      });
      expect(result.ok).toBe(true);
    }
  });

  it('skew-at-window-edge is stale with a window one second narrower', async () => {
    const vector = vectors.valid.find((candidate) => candidate.name === 'skew-at-window-edge');
    if (vector === undefined) throw new Error('missing vector');
    const result = await verifyRequest({
      header: vector.header,
      request: vector.request,
      now,
      windowSeconds: 59,
    });
    expect(result).toMatchObject({ ok: false, reason: 'stale_timestamp' });
  });
});

describe('replay vector', () => {
  const { header, request } = vectors.replay;

  it('accepts the first use and refuses the second as replayed_nonce', async () => {
    const replayStore = new MemoryReplayStore();
    const first = await verifyRequest({ header, request, now, replayStore });
    const second = await verifyRequest({ header, request, now, replayStore });
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, reason: 'replayed_nonce' });
  });

  it('accepts the same nonce under a different public key', async () => {
    const replayStore = new MemoryReplayStore();
    const first = await verifyRequest({ header, request, now, replayStore });
    const parsed = parseEnvelopeHeader(header);
    if (!parsed.ok) throw new Error('replay header does not parse');
    const otherKey = vectors.keys.find((key) => key.public_key !== parsed.envelope.pubkey);
    if (otherKey === undefined) throw new Error('no second key');
    const other = signRequest({
      ...request,
      privateKey: otherKey.private_key,
      createdAt: parsed.envelope.created_at,
      nonce: parsed.envelope.nonce,
    });
    const second = await verifyRequest({ header: other.header, request, now, replayStore });
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: true, publicKey: otherKey.public_key });
  });
});

describe('reasonToErrorCode', () => {
  it.each([
    ['malformed', 'AUTH_MALFORMED'],
    ['unsupported_version', 'AUTH_UNSUPPORTED_VERSION'],
    ['stale_timestamp', 'AUTH_STALE_TIMESTAMP'],
    ['bad_signature', 'AUTH_BAD_SIGNATURE'],
    ['replayed_nonce', 'AUTH_REPLAYED_NONCE'],
  ] as const)('maps %s to %s, a 401 in the error table', (reason, code) => {
    expect(reasonToErrorCode(reason)).toBe(code);
    expect(ERROR_TABLE[code].httpStatus).toBe(401);
  });
});
