export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

/**
 * First SIGINT/SIGTERM: `graceful` (stop polling, finish jobs). Any later
 * one: `force` (exit now), for an operator who cannot wait. Returns the
 * function that removes the handlers.
 */
export function onShutdownSignals(handlers: {
  graceful(signal: ShutdownSignal): void;
  force(signal: ShutdownSignal): void;
}): () => void {
  let received = 0;
  const listener = (signal: ShutdownSignal) => {
    received += 1;
    if (received === 1) handlers.graceful(signal);
    else handlers.force(signal);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
