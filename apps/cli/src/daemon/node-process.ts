import { CliError } from '../cli-error';
import { defaultNodeName } from '../config';
import { loadConfig, requireIdentity, type CommandContext, type SharedFlags } from '../context';
import { explainError } from '../explain-error';
import { createDaemonLogger, type Logger } from '../output';
import { openNodeP2p, type NodeP2p } from '../p2p/node-p2p';
import { cliVersion } from '../version';
import { describeError } from './connectivity';
import { runDaemon } from './daemon';
import {
  acquirePidFile,
  daemonFiles,
  ensurePrivateDirectory,
  releasePidFile,
  type DaemonFiles,
} from './daemon-files';
import { DaemonMonitor } from './daemon-monitor';
import { IPC_PROTOCOL_VERSION } from './ipc-protocol';
import { startIpcServer, type IpcServer } from './ipc-server';
import { RotatingLogFile } from './log-file';
import { onShutdownSignals } from './shutdown-signals';

/** Exit status for a forced stop, as a shell reports death by SIGINT. */
const EXIT_FORCED = 130;

/**
 * Runs the node daemon in this process: claims the pid file, opens the
 * control socket, runs the daemon until SIGINT/SIGTERM or a `shutdown` on
 * the socket, drains, and removes both files. Logs go to stdout
 * (`--foreground`) or to the rotating `daemon.log` (`logToFile`, the
 * detached daemon). The first signal or `shutdown` drains; a second
 * signal exits at once.
 *
 * A foreground daemon that cannot open its socket (a read-only config
 * directory in a container) still serves jobs and says so; a detached one
 * fails, since its only handle is the socket.
 */
export async function runNodeProcess(
  context: CommandContext,
  flags: SharedFlags,
  options: { logToFile: boolean; exit: (code: number) => never },
): Promise<number> {
  const config = requireIdentity(loadConfig(context, flags));
  const files = daemonFiles(context.environment);
  const claimed = claimFiles(files, options.logToFile);
  const logFile = options.logToFile ? new RotatingLogFile(files.logFile) : undefined;
  const logger = createDaemonLogger(config.logLevel, logFile);
  if (claimed instanceof Error) {
    logger.warn(
      { error: describeError(claimed) },
      'no control socket: `infernet status`, `stats` and `stop` cannot reach this daemon; stop it with SIGTERM',
    );
  }

  const monitor = new DaemonMonitor({
    clock: context.clock,
    identity: {
      nodeId: config.identity.nodeId,
      name: config.nodeName ?? defaultNodeName(config.identity.publicKey),
      controlPlaneUrl: config.controlPlaneUrl,
      maxConcurrentJobs: config.maxConcurrentJobs,
      logFile: logFile ? files.logFile : null,
      p2p: { enabled: config.p2p.enabled, advertised: config.advertise },
    },
  });
  const stop = new AbortController();
  const shutDown = (source: string) => {
    if (stop.signal.aborted) return;
    monitor.markDraining();
    logger.info({ source }, 'shutting down: no new jobs; finishing running ones');
    stop.abort();
  };
  const removeHandlers = onShutdownSignals({
    graceful: (signal) => shutDown(signal),
    force: (signal) => {
      logger.warn({ signal }, 'second signal: exiting now');
      options.exit(EXIT_FORCED);
    },
  });

  let socket: IpcServer | undefined;
  let p2p: NodeP2p | undefined;
  try {
    if (!(claimed instanceof Error)) {
      socket = await openControlSocket(files, { monitor, logger, shutDown, config, ...options });
    }
    p2p = await openNodeP2p({
      config,
      name: config.nodeName ?? defaultNodeName(config.identity.publicKey),
      version: cliVersion(),
      logger,
    });
    monitor.setP2pPort(p2p.port);
    await runDaemon(
      {
        config,
        client: monitor.watchClient(context.createNodeClient(config)),
        engine: monitor.watchEngine(context.createEngine(config.engine)),
        detectGpus: context.detectGpus,
        clock: context.clock,
        logger,
        runningJobs: monitor.jobs,
        p2p,
      },
      stop.signal,
    );
  } catch (error) {
    const explained = explainError(error, config);
    logger.error({ error: explained.message }, 'node stopped on an error');
    throw explained;
  } finally {
    removeHandlers();
    socket?.close();
    await p2p?.close();
    if (!(claimed instanceof Error)) releasePidFile(files, process.pid);
  }
  return 0;
}

/** Claims the pid file; an error a foreground daemon can live with is returned, not thrown. */
function claimFiles(files: DaemonFiles, required: boolean): undefined | Error {
  try {
    ensurePrivateDirectory(files.directory);
  } catch (error) {
    const problem = new CliError(`Cannot create ${files.directory}: ${(error as Error).message}.`, {
      cause: error,
    });
    if (required) throw problem;
    return problem;
  }
  // A live daemon holding the pid file is always a refusal.
  acquirePidFile(files, process.pid);
  return undefined;
}

async function openControlSocket(
  files: DaemonFiles,
  context: {
    monitor: DaemonMonitor;
    logger: Logger;
    shutDown: (source: string) => void;
    config: { drainTimeoutMs: number };
    logToFile: boolean;
  },
): Promise<IpcServer | undefined> {
  const { monitor, logger, shutDown, config } = context;
  try {
    return await startIpcServer({
      socketPath: files.socket,
      logger,
      handlers: {
        ping: () => ({
          pong: true,
          pid: process.pid,
          version: cliVersion(),
          protocol: IPC_PROTOCOL_VERSION,
        }),
        status: () => monitor.status(),
        stats: () => monitor.stats(),
        shutdown: () => {
          shutDown('infernet stop');
          return {
            draining: true,
            pid: process.pid,
            runningJobs: monitor.jobs.size,
            drainTimeoutSeconds: config.drainTimeoutMs / 1000,
          };
        },
      },
    });
  } catch (error) {
    const problem = new CliError(
      `Cannot open the control socket ${files.socket}: ${(error as Error).message}.`,
      { cause: error },
    );
    if (context.logToFile) {
      releasePidFile(files, process.pid);
      throw problem;
    }
    logger.warn(
      { error: describeError(problem) },
      'no control socket: `infernet status`, `stats` and `stop` cannot reach this daemon; stop it with SIGTERM',
    );
    return undefined;
  }
}
