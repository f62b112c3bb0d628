import { verifySchnorr } from 'tiny-secp256k1';

/**
 * BIP-340 verification in libsecp256k1 compiled to WebAssembly: several times
 * faster than pure JavaScript, which matters because the server verifies
 * every node request. This is the `default` target of `#schnorr-backend` in
 * package.json. It may throw on malformed input; the caller catches.
 */
export function backendSchnorrVerify(
  signature: Uint8Array,
  messageHash: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return verifySchnorr(messageHash, publicKey, signature);
}

export const SCHNORR_BACKEND = 'libsecp256k1-wasm';
