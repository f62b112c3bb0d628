export interface WaitForOptions {
  /** Give up after this many milliseconds. Defaults to 5000. */
  timeoutMs?: number;
  /** Pause between polls; 0 polls on every turn of the event loop. Defaults to 10. */
  intervalMs?: number;
  /** Named in the timeout error, so a failing test says what it was waiting for. */
  description?: string;
}

/**
 * Polls `predicate` until it returns a truthy value and resolves with that
 * value. For tests that wait on something outside their control (a child
 * process, a socket); it is not a sleep, and it fails loudly on timeout.
 *
 * @example
 * await waitFor(() => fake.calls.some((call) => call.outcome === 'client-closed'));
 */
export async function waitFor<Value>(
  predicate: () => Value | Promise<Value>,
  options: WaitForOptions = {},
): Promise<NonNullable<Value>> {
  const { timeoutMs = 5000, intervalMs = 10, description = 'condition' } = options;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<Value>;
      lastError = undefined;
    } catch (error) {
      // A predicate may throw while the thing it inspects is still starting up.
      lastError = error;
    }
    if (performance.now() >= deadline) {
      throw new Error(`waitFor: ${description} not met within ${timeoutMs} ms`, {
        cause: lastError,
      });
    }
    await new Promise<void>((resolve) =>
      intervalMs <= 0 ? setImmediate(resolve) : setTimeout(resolve, intervalMs),
    );
  }
}
