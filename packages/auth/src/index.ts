export { canonicalString, type CanonicalStringInput } from './canonical-string';
export { encodeEnvelopeHeader, type Envelope } from './envelope';
export {
  generateKeyPair,
  isHexKey,
  parsePrivateKey,
  publicKeyFromPrivateKey,
  type KeyPair,
} from './keys';
export { decodeNpub, decodeNsec, encodeNpub, encodeNsec } from './nip19';
export {
  p2pChallenge,
  p2pHandshakeDigest,
  signP2pHandshake,
  verifyP2pHandshake,
  type P2pHandshakeTranscript,
  type P2pRole,
} from './p2p-handshake';
export { parseEnvelopeHeader, type ParseEnvelopeResult } from './parse-envelope-header';
export { defaultRandomBytes, type RandomBytes } from './random-bytes';
export { MemoryReplayStore, type ReplayStore } from './replay-store';
export { schnorrSign, schnorrVerify } from './schnorr';
export { sha256Hex } from './sha256-hex';
export { signRequest, type SignedEnvelope, type SignRequestInput } from './sign-request';
export { reasonToErrorCode, type VerifyFailureReason } from './verify-failure';
export {
  verifyRequest,
  type SignedRequest,
  type VerifyRequestInput,
  type VerifyResult,
} from './verify-request';
