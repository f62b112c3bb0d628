import { EXIT_OK, UsageError } from '../cli-error';
import { loadConfig, requireIdentity, type CommandContext, type SharedFlags } from '../context';
import { runDaemon } from '../daemon/daemon';
import { onShutdownSignals } from '../daemon/shutdown-signals';
import { explainError } from '../explain-error';
import { createDaemonLogger } from '../output';

export interface StartFlags extends SharedFlags {
  foreground?: boolean;
}

/** Exit status for a forced stop, as a shell reports death by SIGINT. */
const EXIT_FORCED = 130;

/**
 * Runs the node daemon in the foreground, logging JSON lines to stdout, for
 * systemd, Docker or a terminal. The first SIGINT/SIGTERM drains; a second
 * exits at once.
 */
export async function startCommand(
  context: CommandContext,
  flags: StartFlags,
  exit: (code: number) => never,
): Promise<number> {
  if (!flags.foreground) {
    throw new UsageError(
      'Running in the background is not available yet: run `infernet start --foreground` (under systemd, Docker or tmux to keep it running).',
    );
  }
  const config = requireIdentity(loadConfig(context, flags));
  const logger = createDaemonLogger(config.logLevel);
  const engine = context.createEngine(config.engine);
  const client = context.createNodeClient(config);
  const stop = new AbortController();
  const removeHandlers = onShutdownSignals({
    graceful: (signal) => {
      logger.info({ signal }, 'shutting down: no new jobs; finishing running ones');
      stop.abort();
    },
    force: (signal) => {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(EXIT_FORCED);
    },
  });
  try {
    await runDaemon(
      { config, client, engine, detectGpus: context.detectGpus, clock: context.clock, logger },
      stop.signal,
    );
  } catch (error) {
    const explained = explainError(error, config);
    logger.error({ error: explained.message }, 'node stopped on an error');
    throw explained;
  } finally {
    removeHandlers();
  }
  return EXIT_OK;
}
