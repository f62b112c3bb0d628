import { generateKeyPair, type KeyPair } from '@infernet/auth';
import { runCli, temporaryHome, type ManagedProcess } from './processes';

export interface NodeProcess extends ManagedProcess {
  key: KeyPair;
  /** Stops the process (if still running) and removes its temporary home. */
  remove(): Promise<void>;
}

/**
 * Starts a real `infernet start --foreground` daemon configured from the
 * environment alone, and waits until it has registered.
 */
export async function startNodeProcess(options: {
  serverUrl: string;
  engineUrl: string;
  name: string;
  key?: KeyPair;
  env?: Record<string, string>;
}): Promise<NodeProcess> {
  const key = options.key ?? generateKeyPair();
  const home = await temporaryHome();
  const node = runCli(['start', '--foreground'], {
    HOME: home.path,
    XDG_CONFIG_HOME: `${home.path}/.config`,
    INFERNET_PRIVATE_KEY: key.privateKey,
    INFERNET_CONTROL_PLANE_URL: options.serverUrl,
    INFERNET_ENGINE: 'ollama',
    INFERNET_ENGINE_URL: options.engineUrl,
    INFERNET_NODE_NAME: options.name,
    INFERNET_LOG_LEVEL: 'info',
    ...options.env,
  });
  await node.waitForLine(/node ready/);
  return {
    ...node,
    key,
    async remove() {
      await node.stop('SIGKILL');
      await home.remove();
    },
  };
}
