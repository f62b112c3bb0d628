import type { ProviderRecord } from '@infernet/db';

/**
 * Remembers the signer's provider row for a moment. Every token batch a node
 * posts needs it, and a database round trip per batch is a large share of the
 * relay's cost. Writes through this process replace or drop the entry; a copy
 * of the server elsewhere sees changes within `ttlMs`, which only delays a
 * change of served models — ownership of jobs is checked in the database on
 * every write regardless.
 */
export class ProviderCache {
  private readonly entries = new Map<string, { provider: ProviderRecord; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(
    publicKey: string,
    load: (publicKey: string) => Promise<ProviderRecord | null>,
  ): Promise<ProviderRecord | null> {
    const entry = this.entries.get(publicKey);
    if (entry && entry.expiresAt > this.now()) return entry.provider;
    const provider = await load(publicKey);
    if (provider) this.set(provider);
    else this.entries.delete(publicKey);
    return provider;
  }

  set(provider: ProviderRecord): void {
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries && !this.entries.has(provider.publicKey)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(provider.publicKey);
    this.entries.set(provider.publicKey, { provider, expiresAt: this.now() + this.ttlMs });
  }

  forget(publicKey: string): void {
    this.entries.delete(publicKey);
  }
}
