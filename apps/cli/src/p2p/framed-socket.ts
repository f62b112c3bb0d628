import type { Socket } from 'node:net';
import {
  P2P_MAX_FRAME_BYTES,
  P2pMessageSchema,
  parseJson,
  type P2pMessage,
} from '@infernet/protocol';
import { encodeFrame, FrameDecoder, type FrameError } from './frames';

/** Why a P2P connection ended; logged, and sent to the peer in an `error` frame when possible. */
export type DropReason =
  | 'FRAME_TOO_LARGE'
  | 'FRAME_EMPTY'
  | 'BAD_MESSAGE'
  | 'UNEXPECTED_MESSAGE'
  | 'UNSUPPORTED_VERSION'
  | 'BAD_SIGNATURE'
  | 'HANDSHAKE_TIMEOUT'
  | 'IDLE_TIMEOUT'
  | 'PEER_ERROR'
  | 'FLOOD'
  | 'CLOSED';

const LINGER_MS = 1_000;
/** Messages read ahead of the code that handles them; a peer that sends faster is dropped. */
const MAX_QUEUED_MESSAGES = 32;
/** Bytes waiting to go out to a peer that does not read its answers. */
const MAX_UNSENT_BYTES = 1024 * 1024;

export class PeerDropped extends Error {
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super(message);
    this.name = 'PeerDropped';
  }
}

/**
 * A socket that speaks P2P frames: `receive()` hands out parsed messages one
 * at a time, and the first broken frame, unparseable message, close or
 * `drop()` fails every later call with the same `PeerDropped`.
 */
export class FramedSocket {
  readonly socket: Socket;
  readonly #decoder: FrameDecoder;
  readonly #maxFrameBytes: number;
  readonly #queue: P2pMessage[] = [];
  #waiter: { resolve(message: P2pMessage): void; reject(error: PeerDropped): void } | undefined;
  #failure: PeerDropped | undefined;

  constructor(socket: Socket, { maxFrameBytes = P2P_MAX_FRAME_BYTES } = {}) {
    this.socket = socket;
    this.#maxFrameBytes = maxFrameBytes;
    this.#decoder = new FrameDecoder(maxFrameBytes);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => this.#fail(new PeerDropped('CLOSED', 'connection error')));
    socket.on('close', () => this.#fail(new PeerDropped('CLOSED', 'connection closed')));
  }

  /** Why the connection ended, once it has. */
  get failure(): PeerDropped | undefined {
    return this.#failure;
  }

  send(message: P2pMessage): void {
    if (this.#failure || this.socket.destroyed) return;
    if (this.socket.writableLength > MAX_UNSENT_BYTES) {
      this.drop('FLOOD', 'the peer does not read its answers');
      this.socket.destroy();
      return;
    }
    this.socket.write(encodeFrame(message, this.#maxFrameBytes));
  }

  receive(): Promise<P2pMessage> {
    const next = this.#queue.shift();
    if (next) return Promise.resolve(next);
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiter) throw new Error('receive() is already waiting');
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  /** Ends the connection, telling the peer why (in one last frame) unless it already went. */
  drop(reason: DropReason, message: string): PeerDropped {
    const error = new PeerDropped(reason, message);
    if (!this.#failure && !this.socket.destroyed && reason !== 'CLOSED') {
      this.socket.end(encodeFrame({ type: 'error', code: reason, message }, this.#maxFrameBytes));
      this.#destroySoon();
    }
    this.#fail(error);
    return error;
  }

  close(): void {
    this.#fail(new PeerDropped('CLOSED', 'closed by this side'));
    this.socket.end();
    this.#destroySoon();
  }

  /** Gives the last frame a moment to leave; a peer that never reads (or keeps sending) is cut off. */
  #destroySoon(): void {
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  #onData(chunk: Buffer): void {
    if (this.#failure) return;
    let bodies: string[];
    try {
      bodies = this.#decoder.push(chunk);
    } catch (error) {
      const frameError = error as FrameError;
      // Read nothing more from a peer that broke the framing; it still gets the error frame.
      this.socket.pause();
      this.drop(frameError.code, frameError.message);
      return;
    }
    for (const body of bodies) {
      let message: P2pMessage;
      try {
        message = parseJson(body, P2pMessageSchema);
      } catch {
        this.drop('BAD_MESSAGE', 'a frame that is not a P2P message');
        return;
      }
      if (this.#waiter) {
        const { resolve } = this.#waiter;
        this.#waiter = undefined;
        resolve(message);
      } else if (this.#queue.length >= MAX_QUEUED_MESSAGES) {
        this.socket.pause();
        this.drop('FLOOD', `more than ${MAX_QUEUED_MESSAGES} messages unanswered`);
        return;
      } else {
        this.#queue.push(message);
      }
    }
  }

  #fail(error: PeerDropped): void {
    if (this.#failure) return;
    this.#failure = error;
    // A peer's last words before it closed are still read; after our own drop, nothing is.
    if (error.reason !== 'CLOSED') this.#queue.length = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}
