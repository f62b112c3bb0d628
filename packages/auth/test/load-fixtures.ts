import { readFileSync } from 'node:fs';
import type { VerifyFailureReason } from '../src/verify-failure';

/** One row of bitcoin/bips bip-0340/test-vectors.csv, hex fields as given (upper case). */
export interface Bip340Vector {
  index: number;
  secretKey: string;
  publicKey: string;
  auxRandom: string;
  message: string;
  signature: string;
  expectedValid: boolean;
  comment: string;
}

export interface EnvelopeRequestVector {
  method: string;
  path: string;
  body: string;
}

export interface ValidEnvelopeVector {
  name: string;
  request: EnvelopeRequestVector;
  canonical: string;
  body_sha256: string;
  digest: string;
  envelope: { v: 1; pubkey: string; created_at: number; nonce: string; sig: string };
  header: string;
}

export interface InvalidEnvelopeVector {
  name: string;
  reason: VerifyFailureReason;
  request: EnvelopeRequestVector;
  header: string;
}

export interface EnvelopeVectors {
  now: number;
  replay_window_seconds: number;
  keys: { private_key: string; public_key: string }[];
  valid: ValidEnvelopeVector[];
  invalid: InvalidEnvelopeVector[];
  replay: { header: string; request: EnvelopeRequestVector };
}

function readFixture(name: string): string {
  return readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
}

export function loadBip340Vectors(): Bip340Vector[] {
  const [, ...rows] = readFixture('test-vectors.csv').trim().split(/\r?\n/);
  return rows.map((row) => {
    const [index, secretKey, publicKey, auxRandom, message, signature, result, ...comment] =
      row.split(',');
    if (index === undefined || publicKey === undefined || message === undefined) {
      throw new Error(`Unreadable BIP-340 row: ${row}`);
    }
    return {
      index: Number(index),
      secretKey: secretKey ?? '',
      publicKey,
      auxRandom: auxRandom ?? '',
      message,
      signature: signature ?? '',
      expectedValid: result === 'TRUE',
      comment: comment.join(','),
    };
  });
}

export function loadEnvelopeVectors(): EnvelopeVectors {
  return JSON.parse(readFixture('vectors.json')) as EnvelopeVectors;
}
