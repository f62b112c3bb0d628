import { UserAbortError } from './errors';

export type Sleep = (milliseconds: number, signal?: AbortSignal) => Promise<void>;

/** Waits, but gives up with `UserAbortError` as soon as the caller aborts. */
export const sleep: Sleep = (milliseconds, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new UserAbortError(undefined, { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new UserAbortError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Makes `target` abort when `source` does. Hand-rolled instead of
 * `AbortSignal.any` so the SDK also runs in browsers that lack it; returns
 * the function that undoes the link, so long-lived caller signals do not
 * collect one listener per request.
 */
export function linkAbortSignal(
  source: AbortSignal | undefined,
  target: AbortController,
): () => void {
  if (!source) return () => {};
  if (source.aborted) {
    target.abort(source.reason);
    return () => {};
  }
  const onAbort = () => target.abort(source.reason);
  source.addEventListener('abort', onAbort, { once: true });
  return () => source.removeEventListener('abort', onAbort);
}
