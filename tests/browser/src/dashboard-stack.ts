import { startFakeOllama, startFakeRunPod, type FakeRunPodServer } from '@infernet/testkit';
import { startServerProcess, type ServerProcess } from '../../e2e/src/processes';

export const MODEL = 'llama3.2:1b';
export const REPLY =
  'Infernet streams tokens from real nodes to your browser, one piece at a time.'.split(/(?<= )/);
/** A prompt with this phrase gets an answer that stalls after a few tokens, so Stop lands mid-way. */
export const STALL_PHRASE = 'stall after three';
export const STALLED_PIECES = ['One ', 'two ', 'three ', 'four ', 'five ', 'six.'];
export const STALL_AFTER = 3;

export interface DashboardStack {
  server: ServerProcess;
  ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  runpod: FakeRunPodServer;
  close(): Promise<void>;
}

/**
 * The control plane as its own process, serving the built dashboard, with a
 * fake Ollama for the nodes to run and a fake RunPod API for one-click launch.
 */
export async function startDashboardStack(): Promise<DashboardStack> {
  let stalling = false;
  const ollama = await startFakeOllama({
    models: [MODEL],
    reply: (request) => {
      stalling = request.messages.at(-1)?.content.includes(STALL_PHRASE) ?? false;
      return stalling ? STALLED_PIECES : REPLY;
    },
    // Paced so the page visibly streams; a stalling answer hangs like a stuck engine.
    delayBeforeToken: (index) => (stalling && index >= STALL_AFTER ? Infinity : 100),
  });
  const runpod = await startFakeRunPod();
  const server = await startServerProcess({ INFERNET_RUNPOD_API_URL: runpod.url });
  return {
    server,
    ollama,
    runpod,
    async close() {
      await server.stop();
      await runpod.close();
      await ollama.close();
    },
  };
}
