import type { Clock, TimerHandle } from './clock';

/**
 * A clock for tests: time moves only when `advance` is called, and timers
 * fire in order as it passes them. Lets tests check 50 ms batching windows
 * and 30 s heartbeats without sleeping.
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: { at: number; callback: () => void; handle: TimerHandle }[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, milliseconds: number): TimerHandle {
    const handle: TimerHandle = { timer: Symbol('timer') };
    this.#timers.push({ at: this.#now + Math.max(milliseconds, 0), callback, handle });
    this.#timers.sort((left, right) => left.at - right.at);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.handle !== handle);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward, firing due timers one by one and letting promise callbacks run between them. */
  async advance(milliseconds: number): Promise<void> {
    const target = this.#now + milliseconds;
    await settle();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = next.at;
      next.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/**
 * Lets queued promise callbacks (and the I/O-free work they start) run to
 * completion, including work that yields to the event loop with
 * `setImmediate` (the poll loop does, after starting jobs).
 */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn += 1) {
    for (let round = 0; round < 20; round += 1) await Promise.resolve();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
