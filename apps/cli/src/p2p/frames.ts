import { P2P_MAX_FRAME_BYTES } from '@infernet/protocol';

const LENGTH_BYTES = 4;

/** A peer broke the framing: an oversized or empty frame. The connection is dropped. */
export class FrameError extends Error {
  constructor(
    readonly code: 'FRAME_TOO_LARGE' | 'FRAME_EMPTY',
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** One frame: a 4-byte big-endian length, then the UTF-8 JSON of `message`. */
export function encodeFrame(message: unknown, maxFrameBytes = P2P_MAX_FRAME_BYTES): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > maxFrameBytes) {
    throw new FrameError('FRAME_TOO_LARGE', `frame of ${body.length} bytes over ${maxFrameBytes}`);
  }
  const header = Buffer.alloc(LENGTH_BYTES);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/**
 * Splits a byte stream into frame bodies. The length is checked as soon as
 * its 4 bytes arrive, so an oversized frame is refused before any of it is
 * buffered.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #buffered: Buffer = Buffer.alloc(0);

  constructor(maxFrameBytes = P2P_MAX_FRAME_BYTES) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Appends bytes and returns the frame bodies now complete; throws FrameError on a bad length. */
  push(chunk: Buffer): string[] {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const frames: string[] = [];
    while (this.#buffered.length >= LENGTH_BYTES) {
      const length = this.#buffered.readUInt32BE(0);
      if (length > this.#maxFrameBytes) {
        throw new FrameError(
          'FRAME_TOO_LARGE',
          `frame of ${length} bytes over the ${this.#maxFrameBytes}-byte limit`,
        );
      }
      if (length === 0) throw new FrameError('FRAME_EMPTY', 'empty frame');
      if (this.#buffered.length < LENGTH_BYTES + length) break;
      frames.push(this.#buffered.toString('utf8', LENGTH_BYTES, LENGTH_BYTES + length));
      this.#buffered = this.#buffered.subarray(LENGTH_BYTES + length);
    }
    return frames;
  }
}
