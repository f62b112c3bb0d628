export type WakeReason = 'notified' | 'timeout' | 'aborted';

/**
 * A level-triggered wake-up: `notify()` before `wait()` is not lost, so a
 * waiter that subscribes, then reads the database, then waits, can never miss
 * a notification that arrived in between.
 */
export class Wakeup {
  private notified = false;
  private release: ((reason: WakeReason) => void) | undefined;

  notify(): void {
    this.notified = true;
    this.release?.('notified');
  }

  /** Resolves on notify, after `timeoutMs`, or on abort — whichever comes first. */
  async wait(timeoutMs: number, signal?: AbortSignal): Promise<WakeReason> {
    if (signal?.aborted) return 'aborted';
    if (this.notified) {
      this.notified = false;
      return 'notified';
    }
    const reason = await new Promise<WakeReason>((resolve) => {
      const onAbort = (): void => finish('aborted');
      const finish = (why: WakeReason): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.release = undefined;
        resolve(why);
      };
      const timer = setTimeout(() => finish('timeout'), Math.max(0, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.release = finish;
    });
    this.notified = false;
    return reason;
  }
}
