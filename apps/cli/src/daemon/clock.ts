/** Time and timers, injected so the daemon's timing is tested without sleeping. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, milliseconds: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly timer: unknown };

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, milliseconds) => ({ timer: setTimeout(callback, milliseconds) }),
  clearTimeout: (handle) => clearTimeout(handle.timer as ReturnType<typeof setTimeout>),
};

/** Waits `milliseconds`, or less when `signal` aborts; never rejects, so loops just re-check. */
export function delay(clock: Clock, milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      resolve();
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
