import type { CliConfig, Identity } from '../config';
import { describeError } from '../daemon/connectivity';
import type { Logger } from '../output';
import { startP2pServer, type P2pServer } from './p2p-server';

/**
 * The daemon's side of P2P: the listener, and what it tells peers. The
 * daemon feeds it the models it serves; `port` is the port listened on, or
 * null when P2P is off or the port could not be opened.
 */
export interface NodeP2p {
  readonly port: number | null;
  setServedModels(models: readonly string[]): void;
  close(): Promise<void>;
}

/**
 * Opens the P2P port unless `--no-p2p`. A port that cannot be opened (taken
 * by another program, say) is a warning, not a failure: jobs arrive over the
 * outbound long poll either way.
 */
export async function openNodeP2p(options: {
  config: CliConfig & { identity: Identity };
  name: string;
  version: string;
  logger: Logger;
}): Promise<NodeP2p> {
  const { config, logger } = options;
  let served: string[] = [];
  const off: NodeP2p = { port: null, setServedModels: () => {}, close: async () => {} };
  if (!config.p2p.enabled) {
    logger.info({}, 'p2p off (--no-p2p): no port opened');
    return off;
  }
  let server: P2pServer;
  try {
    server = await startP2pServer({
      identity: config.identity,
      port: config.p2p.port,
      logger,
      info: () => ({
        node_id: config.identity.nodeId,
        name: options.name,
        models: served,
        version: options.version,
      }),
    });
  } catch (error) {
    logger.warn(
      { port: config.p2p.port, error: describeError(error) },
      'cannot open the p2p port; running without it (choose another with --p2p-port, or --no-p2p)',
    );
    return off;
  }
  logger.info(
    { port: server.port, host: server.host, advertised: config.advertise },
    'p2p listening',
  );
  return {
    port: server.port,
    setServedModels: (models) => void (served = [...models]),
    close: () => server.close(),
  };
}
