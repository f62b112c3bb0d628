/**
 * Everything a benchmark starts (processes, servers, databases) registers
 * how to undo itself here. `release` undoes one thing early; `run` undoes
 * whatever is left, newest first, and keeps going when one step fails.
 * Ctrl-C or SIGTERM runs it too before exiting (repeats are ignored while it
 * runs), so an interrupted benchmark leaves nothing behind.
 */
export class Cleanup {
  readonly #steps: { label: string; value: unknown; undo: () => Promise<unknown> | unknown }[] = [];
  #running: Promise<void> | undefined;

  constructor() {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // `on`, not `once`: npm and tsx both forward Ctrl-C, so a second signal
      // often follows the first, and must not kill the process mid-cleanup.
      process.on(signal, () => {
        if (this.#running) return;
        console.error(`\n${signal}: cleaning up`);
        void this.run().finally(() => process.exit(130));
      });
    }
  }

  /** Registers `undo` and returns `value`, so a start and its cleanup sit on one line. */
  add<Value>(
    label: string,
    value: Value,
    undo: (value: Value) => Promise<unknown> | unknown,
  ): Value {
    this.#steps.push({ label, value, undo: () => undo(value) });
    return value;
  }

  /** Undoes the step registered for `value` now (once), for things that end before the benchmark does. */
  async release(value: unknown): Promise<void> {
    const index = this.#steps.findIndex((step) => step.value === value);
    if (index === -1) return;
    const [step] = this.#steps.splice(index, 1);
    await step!.undo();
  }

  run(): Promise<void> {
    this.#running ??= (async () => {
      while (this.#steps.length > 0) {
        const step = this.#steps.pop()!;
        try {
          await step.undo();
        } catch (error) {
          console.error(`cleanup of ${step.label} failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.#running;
  }
}
