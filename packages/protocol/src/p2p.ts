import { z } from 'zod';
import { ModelNameSchema } from './specs';

/**
 * The node-to-node protocol on the P2P port (TCP 46337 by default).
 *
 * Every message is one frame: a 4-byte big-endian length, then that many
 * bytes of UTF-8 JSON. Both sides open with `hello` and then `proof`, a
 * BIP-340 signature over both challenges and both keys (see
 * `p2pHandshakeDigest` in `@infernet/auth`); nothing else is read before the
 * peer's proof verifies.
 */
export const P2P_PROTOCOL_VERSION = 1;
/** A frame announcing more bytes than this is refused before it is buffered. */
export const P2P_MAX_FRAME_BYTES = 64 * 1024;
/** Both hellos and both proofs must have crossed within this time. */
export const P2P_HANDSHAKE_TIMEOUT_MS = 5_000;
/** An authenticated peer that says nothing for this long is disconnected. */
export const P2P_IDLE_TIMEOUT_MS = 60_000;
/** Bytes of each side's random challenge. */
export const P2P_CHALLENGE_BYTES = 32;

const LowercaseHex = (characters: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${characters}}$`), `must be ${characters} lowercase hex`);

export const P2pHelloSchema = z.object({
  type: z.literal('hello'),
  version: z.number().int().min(1).max(1_000_000),
  /** x-only secp256k1 public key (the node's Nostr key). */
  public_key: LowercaseHex(64),
  /** 32 fresh random bytes. */
  challenge: LowercaseHex(P2P_CHALLENGE_BYTES * 2),
});
export const P2pProofSchema = z.object({
  type: z.literal('proof'),
  signature: LowercaseHex(128),
});
export const P2pInfoRequestSchema = z.object({ type: z.literal('info-request') });
/** What a node tells an authenticated peer: never a hostname, address, RAM or CPU. */
export const P2pInfoSchema = z.object({
  type: z.literal('info'),
  node_id: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  models: z.array(ModelNameSchema).max(256),
  version: z.string().min(1).max(64),
  protocol: z.number().int().min(1),
});
export const P2pPingSchema = z.object({ type: z.literal('ping'), nonce: z.string().max(64) });
export const P2pPongSchema = z.object({ type: z.literal('pong'), nonce: z.string().max(64) });
export const P2pErrorSchema = z.object({
  type: z.literal('error'),
  code: z.string().min(1).max(64),
  message: z.string().max(512),
});

export const P2pMessageSchema = z.discriminatedUnion('type', [
  P2pHelloSchema,
  P2pProofSchema,
  P2pInfoRequestSchema,
  P2pInfoSchema,
  P2pPingSchema,
  P2pPongSchema,
  P2pErrorSchema,
]);
export type P2pMessage = z.infer<typeof P2pMessageSchema>;
export type P2pHello = z.infer<typeof P2pHelloSchema>;
export type P2pInfo = z.infer<typeof P2pInfoSchema>;
