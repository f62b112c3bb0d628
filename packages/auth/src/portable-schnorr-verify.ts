import { schnorr } from '@noble/curves/secp256k1.js';

/**
 * BIP-340 verification in pure JavaScript (noble). Browser bundles get this
 * through the `browser` condition of `#schnorr-backend` in package.json,
 * because the WebAssembly build needs bundler support that browser apps
 * cannot be assumed to have. It may throw on malformed input; the caller catches.
 */
export function backendSchnorrVerify(
  signature: Uint8Array,
  messageHash: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return schnorr.verify(signature, messageHash, publicKey);
}

export const SCHNORR_BACKEND = 'noble';
