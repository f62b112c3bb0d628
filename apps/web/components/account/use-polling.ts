'use client';

import { useEffect, useState } from 'react';
import { errorMessage } from './error-message';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** When the last answer arrived, to say how fresh the page is. */
  updatedAt: number | null;
}

/**
 * Calls `load` now and `intervalMs` after each answer (never two at once),
 * while the tab is visible; stops when the component goes away.
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number) {
  const [state, setState] = useState<Polled<T>>({ data: null, error: null, updatedAt: null });

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function tick() {
      if (document.visibilityState !== 'hidden') {
        try {
          const data = await load(controller.signal);
          setState({ data, error: null, updatedAt: Date.now() });
        } catch (caught) {
          if (controller.signal.aborted) return;
          setState((previous) => ({ ...previous, error: errorMessage(caught) }));
        }
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void tick(), intervalMs);
    }
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [load, intervalMs]);

  return state;
}
