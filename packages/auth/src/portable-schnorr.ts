import { schnorr } from '@noble/curves/secp256k1.js';
import type { SchnorrBackend } from './schnorr-backend';

/**
 * BIP-340 in pure JavaScript (`@noble/curves`). Browser bundles get this
 * through the `browser` condition of `#schnorr-backend` in package.json,
 * because the WebAssembly build needs bundler support that browser apps
 * cannot be assumed to have. The tests also use it directly, to hold both
 * backends to the BIP-340 vectors.
 *
 * `schnorr.sign` verifies its own signature against the public key it derives
 * and throws if that fails, so this backend's output is already checked once.
 */
export const schnorrBackend: SchnorrBackend = {
  name: 'noble',
  verify: (signature, messageHash, publicKey) => schnorr.verify(signature, messageHash, publicKey),
  sign: (messageHash, privateKey, auxRandom) => schnorr.sign(messageHash, privateKey, auxRandom),
  xOnlyPublicKey: (privateKey) => schnorr.getPublicKey(privateKey),
  signVerifiesOutput: true,
};

export const SCHNORR_BACKEND = schnorrBackend.name;
