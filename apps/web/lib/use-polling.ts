'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  /** The last value that loaded; kept through later failures so the page does not blank. */
  data: T | undefined;
  /** The last attempt's failure, cleared by the next success. */
  error: unknown;
  /** When `data` last loaded (Unix ms). */
  updatedAt: number | undefined;
  /** Loads again now, without waiting for the interval. */
  refresh: () => void;
}

/**
 * Calls `load` now and then every `intervalMs` after each call settles (never
 * two at once), while the tab is visible. Changing `key` starts over.
 */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  key = '',
): Polled<T> {
  const [state, setState] = useState<Omit<Polled<T>, 'refresh'>>({
    data: undefined,
    error: undefined,
    updatedAt: undefined,
  });
  const loadRef = useRef(load);
  // Declared before the polling effect, so every tick calls the latest `load`.
  useEffect(() => {
    loadRef.current = load;
  });
  const wakeRef = useRef<() => void>(() => {});

  useEffect(() => {
    setState({ data: undefined, error: undefined, updatedAt: undefined });
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;

    const tick = async () => {
      if (running || controller.signal.aborted) return;
      clearTimeout(timer);
      running = true;
      try {
        const data = await loadRef.current(controller.signal);
        if (!controller.signal.aborted) {
          setState({ data, error: undefined, updatedAt: Date.now() });
        }
      } catch (error) {
        if (!controller.signal.aborted) setState((previous) => ({ ...previous, error }));
      } finally {
        running = false;
        // A hidden tab stops polling; becoming visible calls tick again.
        if (!controller.signal.aborted && document.visibilityState === 'visible') {
          timer = setTimeout(tick, intervalMs);
        }
      }
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void tick();
    };
    wakeRef.current = () => void tick();
    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs, key]);

  const refresh = useCallback(() => wakeRef.current(), []);
  return { ...state, refresh };
}
