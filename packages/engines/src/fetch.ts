/** The fetch shape both official clients accept; injected so tests and proxies can stand in. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Reads `globalThis.fetch` per call, so a fetch replaced after construction is still honoured. */
export const globalFetch: Fetch = (input, init) => globalThis.fetch(input, init);

/**
 * Wraps a fetch so every request it makes also stops when `signal` aborts.
 * The ollama client takes no per-call signal for most methods, so this is
 * how a caller's AbortSignal reaches its requests.
 */
export function fetchWithSignal(base: Fetch, signal: AbortSignal | undefined): Fetch {
  if (!signal) return base;
  return (input, init) =>
    base(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
    });
}
