import { describe, expect, it } from 'vitest';
import { generateKeyPair } from './keys';
import {
  p2pChallenge,
  p2pHandshakeDigest,
  signP2pHandshake,
  verifyP2pHandshake,
  type P2pHandshakeTranscript,
} from './p2p-handshake';

const alice = generateKeyPair();
const bob = generateKeyPair();
const transcript: P2pHandshakeTranscript = {
  initiator: { publicKey: alice.publicKey, challenge: p2pChallenge() },
  responder: { publicKey: bob.publicKey, challenge: p2pChallenge() },
};

describe('the P2P handshake proof', () => {
  it('verifies for the signer’s role and transcript', () => {
    const signature = signP2pHandshake({
      role: 'initiator',
      transcript,
      privateKey: alice.privateKey,
    });
    expect(verifyP2pHandshake({ role: 'initiator', transcript, signature })).toBe(true);
  });

  it('cannot be replayed to another session, another peer or the other role', () => {
    const signature = signP2pHandshake({
      role: 'responder',
      transcript,
      privateKey: bob.privateKey,
    });
    const otherChallenge = {
      ...transcript,
      initiator: { ...transcript.initiator, challenge: p2pChallenge() },
    };
    const otherPeer = {
      ...transcript,
      initiator: { ...transcript.initiator, publicKey: generateKeyPair().publicKey },
    };
    expect(verifyP2pHandshake({ role: 'responder', transcript: otherChallenge, signature })).toBe(
      false,
    );
    expect(verifyP2pHandshake({ role: 'responder', transcript: otherPeer, signature })).toBe(false);
    expect(verifyP2pHandshake({ role: 'initiator', transcript, signature })).toBe(false);
  });

  it('refuses to sign for a key it does not hold, and never throws on hostile proofs', () => {
    expect(() =>
      signP2pHandshake({ role: 'responder', transcript, privateKey: alice.privateKey }),
    ).toThrow(/does not match/);
    for (const signature of ['', 'zz', 'A'.repeat(128), '0'.repeat(128)]) {
      expect(verifyP2pHandshake({ role: 'initiator', transcript, signature })).toBe(false);
    }
    const broken = { ...transcript, responder: { publicKey: 'xyz', challenge: '00' } };
    expect(
      verifyP2pHandshake({ role: 'initiator', transcript: broken, signature: '0'.repeat(128) }),
    ).toBe(false);
    expect(() => p2pHandshakeDigest('initiator', broken)).toThrow(/lowercase hex/);
  });

  it('binds a fixed transcript to a fixed digest', () => {
    const fixed = {
      initiator: { publicKey: '1'.repeat(64), challenge: '2'.repeat(64) },
      responder: { publicKey: '3'.repeat(64), challenge: '4'.repeat(64) },
    };
    const a = p2pHandshakeDigest('initiator', fixed);
    expect(a).toHaveLength(32);
    expect(Buffer.from(a)).not.toEqual(Buffer.from(p2pHandshakeDigest('responder', fixed)));
  });
});
