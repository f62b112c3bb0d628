const INITIAL_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/**
 * Delay after the `failures`-th failure in a row: doubling from 1 s up to
 * 30 s, then randomised between half and all of it ("equal jitter") so a
 * fleet of nodes that lost the control plane together does not return in step.
 */
export function backoffDelayMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(INITIAL_DELAY_MS * 2 ** Math.max(failures - 1, 0), MAX_DELAY_MS);
  return ceiling / 2 + (ceiling / 2) * random();
}
