import { loadConfig } from './config';
import { createLogger } from './logger';
import { startServer } from './server';

/** Entry point: the only place that reads process.env and argv. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger);
  process.stdout.write(
    `Infernet control plane ready at ${server.url.replace('127.0.0.1', 'localhost')} (${server.db.kind})\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start the control plane: ${(error as Error).message}\n`);
  process.exit(1);
});
