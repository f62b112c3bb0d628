import { InfernetError } from '@infernet/protocol';

/**
 * Caps how many requests one key may hold open at once (long polls, streams),
 * so a single node cannot exhaust the server's connections.
 */
export class ConcurrencyLimiter {
  private readonly active = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {}

  /** Takes a slot or throws RATE_LIMITED; call the returned function exactly once to give it back. */
  acquire(key: string): () => void {
    const count = this.active.get(key) ?? 0;
    if (count >= this.limit) {
      throw new InfernetError(
        'RATE_LIMITED',
        `At most ${this.limit} ${this.what} may be open at once for one key; close one and retry.`,
      );
    }
    this.active.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = (this.active.get(key) ?? 1) - 1;
      if (remaining <= 0) this.active.delete(key);
      else this.active.set(key, remaining);
    };
  }
}
