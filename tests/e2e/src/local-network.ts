import { join } from 'node:path';
import { startFakeOllama } from '@infernet/testkit';
import { startServerProcess, temporaryHome, type ServerProcess } from './processes';

/** A fake Ollama, a control-plane process and a temporary home, for running the real CLI against. */
export interface LocalNetwork {
  ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  server: ServerProcess;
  home: Awaited<ReturnType<typeof temporaryHome>>;
  /** HOME and XDG_CONFIG_HOME in the temporary home, and the control plane's URL. */
  env: Record<string, string>;
}

/** Starts a `LocalNetwork` whose fake Ollama serves `models`; what started is stopped if a later step fails. */
export async function startLocalNetwork(models: string[]): Promise<LocalNetwork> {
  const ollama = await startFakeOllama({ models });
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess();
    const home = await temporaryHome();
    const env = {
      HOME: home.path,
      XDG_CONFIG_HOME: join(home.path, '.config'),
      INFERNET_CONTROL_PLANE_URL: server.url,
    };
    return { ollama, server, home, env };
  } catch (error) {
    await server?.stop();
    await ollama.close();
    throw error;
  }
}
