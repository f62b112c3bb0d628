import { encodeNpub } from '@infernet/auth';
import { EXIT_OK } from '../cli-error';
import { loadConfig, type CommandContext } from '../context';
import { daemonFiles } from '../daemon/daemon-files';
import { formatTable } from '../output';

/** What stands in for a secret in `config show`. */
export const REDACTED = '[redacted]';

/**
 * Prints the effective configuration (flags > environment > config file >
 * defaults) with every secret replaced by `[redacted]`: the private key, the
 * engine API key, and any password in a URL. Safe to paste into a bug report.
 */
export async function configShowCommand(
  context: CommandContext,
  flags: { json?: boolean },
): Promise<number> {
  const { output } = context;
  const config = loadConfig(context);
  const files = daemonFiles(context.environment);
  const identity = config.identity;
  const shown = {
    configPath: config.configPath,
    controlPlane: { url: redactUrl(config.controlPlaneUrl) },
    node: {
      nodeId: identity?.nodeId ?? null,
      name: config.nodeName ?? null,
      publicKey: identity?.publicKey ?? null,
      npub: identity ? encodeNpub(identity.publicKey) : null,
      privateKey: identity ? REDACTED : null,
      advertise: config.advertise,
      unlisted: config.unlisted,
    },
    p2p: config.p2p,
    engine: {
      kind: config.engine.kind,
      url: config.engine.url === undefined ? null : redactUrl(config.engine.url),
      apiKey: config.engine.apiKey === undefined ? null : REDACTED,
      models: config.engine.models,
    },
    daemon: {
      maxConcurrentJobs: config.maxConcurrentJobs,
      drainTimeoutSeconds: config.drainTimeoutMs / 1000,
      logLevel: config.logLevel,
      pidFile: files.pidFile,
      socket: files.socket,
      logFile: files.logFile,
    },
  };
  if (flags.json) {
    output.json(shown);
    return EXIT_OK;
  }
  const rows = [
    ['Config file', shown.configPath],
    ['Control plane', shown.controlPlane.url],
    ['Node id', shown.node.nodeId ?? 'none (run `infernet init`)'],
    ['Name', shown.node.name ?? '(default)'],
    ['Public key', shown.node.npub ?? 'none'],
    ['Private key', shown.node.privateKey ?? 'none'],
    ['Advertise', shown.node.advertise ? 'yes' : 'no (outbound-only)'],
    ['Listed', shown.node.unlisted ? 'no (--unlisted: hidden from public lists)' : 'yes'],
    ['P2P', shown.p2p.enabled ? `TCP ${shown.p2p.port}` : 'off (--no-p2p)'],
    ['Engine', `${shown.engine.kind}${shown.engine.url ? ` at ${shown.engine.url}` : ''}`],
    ['Engine API key', shown.engine.apiKey ?? 'none'],
    ['Models', shown.engine.models.join(', ') || 'all the engine has'],
    ['Max concurrent', String(shown.daemon.maxConcurrentJobs)],
    ['Drain timeout', `${shown.daemon.drainTimeoutSeconds} s`],
    ['Log level', shown.daemon.logLevel],
    ['Log file', shown.daemon.logFile],
    ['Pid file', shown.daemon.pidFile],
    ['Socket', shown.daemon.socket],
  ];
  output.line(formatTable(['Field', 'Value'], rows).split('\n').slice(1).join('\n'));
  return EXIT_OK;
}

/** Keeps a URL readable but drops a password or token in its user part. */
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (!url.username && !url.password) return value;
    // `[redacted]` would be percent-encoded in a URL.
    url.username = url.username ? '***' : '';
    url.password = url.password ? '***' : '';
    return url.href.replace(/\/$/, '');
  } catch {
    return value;
  }
}
