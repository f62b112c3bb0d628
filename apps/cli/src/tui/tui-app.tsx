import { useEffect, useState } from 'react';
import { useApp, useInput, useStdin } from 'ink';
import { Dashboard } from './dashboard';
import type { DashboardSnapshot, DashboardSource } from './dashboard-source';

export const REFRESH_MS = 1_000;

/**
 * The live dashboard: reads `source` now and then every `refreshMs` (the
 * next read starts once the last one is shown, so a slow daemon never piles
 * reads up), and quits on `q` when the terminal lets it read keys. Without
 * a terminal on stdin it just refreshes; the caller ends it on a signal.
 */
export function TuiApp({
  source,
  refreshMs = REFRESH_MS,
}: {
  source: DashboardSource;
  refreshMs?: number;
}) {
  const { exit } = useApp();
  // Ink reports stdin's `isTTY`, which is undefined (not false) for a pipe or /dev/null.
  const keys = useStdin().isRawModeSupported === true;
  const [snapshot, setSnapshot] = useState<DashboardSnapshot>({ daemon: 'connecting' });

  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) exit();
    },
    { isActive: keys },
  );

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = async () => {
      const next = await source.read();
      if (stopped) return;
      setSnapshot(next);
      timer = setTimeout(() => void refresh(), refreshMs);
    };
    void refresh();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [source, refreshMs]);

  return <Dashboard snapshot={snapshot} mode={keys ? 'keys' : 'signal'} />;
}
