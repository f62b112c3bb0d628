import { InfernetError } from '@infernet/protocol';

/**
 * Remembers which (public key, nonce) pairs have been accepted. The server
 * needs one store shared by all its copies (the database), otherwise a request
 * replayed to a second copy inside the window would pass.
 */
export interface ReplayStore {
  /**
   * Records the pair until `expiresAt`. Resolves `true` when the pair is new
   * and `false` when it was already recorded. Must be atomic: of two
   * concurrent calls with the same pair, exactly one may see `true`.
   */
  remember(publicKey: string, nonce: string, expiresAt: Date): Promise<boolean>;
}

const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * A replay store in process memory, for tests and single-process servers.
 * Entries stay until `prune(now)` drops the expired ones; when `maxEntries`
 * is reached the oldest entry is evicted, trading a theoretical replay of a
 * very old nonce for bounded memory.
 *
 * @example
 * const replayStore = new MemoryReplayStore();
 * setInterval(() => replayStore.prune(new Date()), 60_000);
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #maxEntries: number;
  /** Expiry in epoch milliseconds by pair; a Map iterates in insertion order, oldest first. */
  readonly #expiries = new Map<string, number>();

  constructor(options: { maxEntries?: number } = {}) {
    const { maxEntries = DEFAULT_MAX_ENTRIES } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new InfernetError('BAD_REQUEST', 'maxEntries must be a positive integer.');
    }
    this.#maxEntries = maxEntries;
  }

  /** Number of pairs currently held. */
  get size(): number {
    return this.#expiries.size;
  }

  async remember(publicKey: string, nonce: string, expiresAt: Date): Promise<boolean> {
    // JSON of the pair cannot collide the way a joined string with a separator could.
    const key = JSON.stringify([publicKey, nonce]);
    if (this.#expiries.has(key)) return false;
    if (this.#expiries.size >= this.#maxEntries) {
      const oldest = this.#expiries.keys().next();
      if (!oldest.done) this.#expiries.delete(oldest.value);
    }
    this.#expiries.set(key, expiresAt.getTime());
    return true;
  }

  /** Drops every pair whose expiry is at or before `now`; returns how many were dropped. */
  prune(now: Date): number {
    const nowMilliseconds = now.getTime();
    let dropped = 0;
    for (const [key, expiresAt] of this.#expiries) {
      if (expiresAt <= nowMilliseconds) {
        this.#expiries.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }
}
