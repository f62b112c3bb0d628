import { createStubEngine, type ChatChunk, type Engine } from '@infernet/engines';

/**
 * Test support only: an engine that streams `tokensBeforeGate` (one token
 * by default), then holds the stream until the test calls `finish` or the
 * caller aborts, so tests can stop a job mid-answer and see whether the
 * engine was told to stop. With `ignoreAbort` it keeps holding after an
 * abort, like a stuck engine.
 */
export function gatedEngine(options: { ignoreAbort?: boolean; tokensBeforeGate?: string[] } = {}) {
  const tokensBeforeGate = options.tokensBeforeGate ?? ['partial '];
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let markAborted!: (reason: unknown) => void;
  const aborted = new Promise<unknown>((resolve) => (markAborted = resolve));
  const engine: Engine = {
    ...createStubEngine(),
    async *chat(_request, chatOptions): AsyncGenerator<ChatChunk> {
      for (const text of tokensBeforeGate) yield { done: false, text };
      markStarted();
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        const signal = chatOptions?.signal;
        const onAbort = () => {
          markAborted(signal?.reason);
          if (!options.ignoreAbort) reject(signal?.reason);
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
      yield { done: false, text: 'answer' };
      yield { done: true, reason: 'stop', usage: null };
    },
  };
  return { engine, finish, started, aborted };
}
