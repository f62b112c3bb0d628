/**
 * Counts running jobs against `maxConcurrentJobs`, and the free slots that
 * polls in flight have asked the control plane to fill. The poll loop asks
 * only for free slots no other poll has asked for, and waits while there
 * are none.
 */
export class JobSlots {
  readonly capacity: number;
  #running = 0;
  #requested = 0;
  #waiters = new Set<() => void>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get running(): number {
    return this.#running;
  }

  get free(): number {
    return Math.max(this.capacity - this.#running, 0);
  }

  /** Free slots that no poll in flight has asked for. */
  get unrequested(): number {
    return Math.max(this.free - this.#requested, 0);
  }

  /** Takes a slot even when none is free: a server that sends more than asked is still served. */
  acquire(): void {
    this.#running += 1;
  }

  release(): void {
    this.#running = Math.max(this.#running - 1, 0);
    this.#wake();
  }

  /**
   * A poll asks for `count` slots; call the returned function once its
   * answer's jobs have taken their slots (`acquire`), so the slots are
   * never counted as both asked for and free.
   */
  request(count: number): () => void {
    this.#requested += count;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#requested -= count;
      this.#wake();
    };
  }

  /**
   * Resolves once a free slot is not asked for by any poll, or when `signal`
   * aborts. Several waiters may wake for one slot: the first to `request`
   * it takes it, so check `unrequested` again before asking.
   */
  waitForUnrequested(signal?: AbortSignal): Promise<void> {
    return this.#waitUntil(() => this.unrequested > 0, signal);
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #waitUntil(condition: () => boolean, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (condition() || signal?.aborted) {
        resolve();
        return;
      }
      const finish = () => {
        this.#waiters.delete(check);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const check = () => {
        if (condition()) finish();
      };
      this.#waiters.add(check);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }
}
