/**
 * The BIP-340 primitives behind `#schnorr-backend` (see package.json
 * "imports"): libsecp256k1 compiled to WebAssembly in Node, `@noble/curves`
 * under the bundlers' `browser` condition. Both implement this shape, so the
 * TypeScript types do not depend on which file the compiler resolves.
 *
 * Callers validate lengths and the private key's range first; the primitives
 * may still throw on malformed input, and the callers catch.
 */
export interface SchnorrBackend {
  readonly name: 'libsecp256k1-wasm' | 'noble';
  /** BIP-340 verification; may throw on a public key off the curve and the like. */
  verify(signature: Uint8Array, messageHash: Uint8Array, publicKey: Uint8Array): boolean;
  /** BIP-340 signature with the given 32 bytes of auxiliary randomness. */
  sign(messageHash: Uint8Array, privateKey: Uint8Array, auxRandom: Uint8Array): Uint8Array;
  /** The 32-byte x-only public key of a valid private key. */
  xOnlyPublicKey(privateKey: Uint8Array): Uint8Array;
  /**
   * True when `sign` itself verifies what it produced against the public key
   * it derives (x(d·G)) and throws if that fails, as noble does; the caller
   * then must not verify a second time. False means the caller verifies.
   */
  readonly signVerifiesOutput: boolean;
}
