import { signSchnorr, verifySchnorr, xOnlyPointFromScalar } from 'tiny-secp256k1';
import type { SchnorrBackend } from './schnorr-backend';

/**
 * BIP-340 in libsecp256k1 compiled to WebAssembly (`tiny-secp256k1`): several
 * times faster than pure JavaScript, which matters because the server verifies
 * every node request and a node signs every request it sends. This is the
 * `default` target of `#schnorr-backend` in package.json.
 *
 * libsecp256k1's signer does not check its own output, so `schnorr.ts`
 * verifies each signature once, with `verify`, before returning it.
 */
export const schnorrBackend: SchnorrBackend = {
  name: 'libsecp256k1-wasm',
  verify: (signature, messageHash, publicKey) => verifySchnorr(messageHash, publicKey, signature),
  sign: (messageHash, privateKey, auxRandom) => signSchnorr(messageHash, privateKey, auxRandom),
  xOnlyPublicKey: (privateKey) => xOnlyPointFromScalar(privateKey),
  signVerifiesOutput: false,
};

export const SCHNORR_BACKEND = schnorrBackend.name;
