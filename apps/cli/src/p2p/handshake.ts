import {
  p2pChallenge,
  signP2pHandshake,
  verifyP2pHandshake,
  type P2pHandshakeTranscript,
  type P2pRole,
  type RandomBytes,
} from '@infernet/auth';
import {
  P2P_HANDSHAKE_TIMEOUT_MS,
  P2P_PROTOCOL_VERSION,
  type P2pMessage,
} from '@infernet/protocol';
import type { FramedSocket } from './framed-socket';

export interface P2pIdentity {
  privateKey: string;
  publicKey: string;
}

export interface HandshakeOptions {
  identity: P2pIdentity;
  role: P2pRole;
  timeoutMs?: number;
  randomBytes?: RandomBytes;
}

/** The peer, once its proof verified. */
export interface AuthenticatedPeer {
  publicKey: string;
  version: number;
}

const other = (role: P2pRole): P2pRole => (role === 'initiator' ? 'responder' : 'initiator');

/**
 * Both sides send `hello {version, public_key, challenge}` at once, then a
 * `proof` signing both hellos (`p2pHandshakeDigest`). Resolves with the
 * peer once its proof verifies; anything else first, a wrong version, a
 * bad signature or silence past the timeout drops the connection and
 * rejects with `PeerDropped`.
 */
export async function performHandshake(
  channel: FramedSocket,
  options: HandshakeOptions,
): Promise<AuthenticatedPeer> {
  const { identity, role, timeoutMs = P2P_HANDSHAKE_TIMEOUT_MS } = options;
  const timer = setTimeout(
    () => channel.drop('HANDSHAKE_TIMEOUT', `no handshake within ${timeoutMs} ms`),
    timeoutMs,
  );
  try {
    const challenge = p2pChallenge(options.randomBytes);
    channel.send({
      type: 'hello',
      version: P2P_PROTOCOL_VERSION,
      public_key: identity.publicKey,
      challenge,
    });
    const hello = requireType(await channel.receive(), 'hello', channel);
    if (hello.version !== P2P_PROTOCOL_VERSION) {
      throw channel.drop(
        'UNSUPPORTED_VERSION',
        `protocol version ${hello.version} is not spoken here (this node speaks ${P2P_PROTOCOL_VERSION})`,
      );
    }
    if (hello.challenge === challenge) {
      // Our own hello echoed back: a reflection, never a peer.
      throw channel.drop('UNEXPECTED_MESSAGE', 'the peer echoed this side’s challenge');
    }
    const mine = { publicKey: identity.publicKey, challenge };
    const theirs = { publicKey: hello.public_key, challenge: hello.challenge };
    const transcript: P2pHandshakeTranscript =
      role === 'initiator'
        ? { initiator: mine, responder: theirs }
        : { initiator: theirs, responder: mine };
    channel.send({
      type: 'proof',
      signature: signP2pHandshake({ role, transcript, privateKey: identity.privateKey }),
    });
    const proof = requireType(await channel.receive(), 'proof', channel);
    if (!verifyP2pHandshake({ role: other(role), transcript, signature: proof.signature })) {
      throw channel.drop('BAD_SIGNATURE', 'the peer’s handshake signature does not verify');
    }
    return { publicKey: hello.public_key, version: hello.version };
  } finally {
    clearTimeout(timer);
  }
}

/** The message if it has the wanted type; else the connection is dropped. */
function requireType<Type extends P2pMessage['type']>(
  message: P2pMessage,
  type: Type,
  channel: FramedSocket,
): Extract<P2pMessage, { type: Type }> {
  if (message.type === type) return message as Extract<P2pMessage, { type: Type }>;
  if (message.type === 'error') {
    throw channel.drop('PEER_ERROR', `the peer refused: ${message.code}`);
  }
  throw channel.drop('UNEXPECTED_MESSAGE', `expected ${type}, got ${message.type}`);
}
