import { NODE_LIVENESS_SECONDS, type NodeRow } from '@infernet/protocol';
import { EXIT_FAILURE, EXIT_NOT_RUNNING, EXIT_OK } from '../cli-error';
import { loadConfig, requireIdentity, type CommandContext, type SharedFlags } from '../context';
import { daemonFiles } from '../daemon/daemon-files';
import { queryDaemon } from '../daemon/ipc-client';
import type { StatusData } from '../daemon/ipc-protocol';
import { explainError } from '../explain-error';
import { formatTable } from '../output';

export interface StatusFlags extends SharedFlags {
  json?: boolean;
}

/**
 * With a daemon running: what it reports on its control socket (exit 0).
 * Without one: this node's row on the control plane (signed `me`), exit 3
 * when registered (not running, as `systemctl status` says it), 1 when not
 * even registered.
 */
export async function statusCommand(context: CommandContext, flags: StatusFlags): Promise<number> {
  const files = daemonFiles(context.environment);
  const daemon = await queryDaemon(files.socket, 'status');
  if (daemon) {
    showDaemonStatus(context, daemon, flags);
    return EXIT_OK;
  }
  return showControlPlaneStatus(context, flags);
}

function showDaemonStatus(context: CommandContext, status: StatusData, flags: StatusFlags): void {
  const { output } = context;
  if (flags.json) {
    output.json({
      registered: status.registered,
      controlPlane: status.controlPlaneUrl,
      daemon: { running: true, ...status },
    });
    return;
  }
  const state = status.draining ? 'stopping (finishing running jobs)' : 'running';
  const connection =
    status.connected === null
      ? 'connecting'
      : status.connected
        ? 'connected'
        : `unreachable${status.lastContactAt ? ` (last answer ${status.lastContactAt})` : ''}`;
  const rows = [
    ['Daemon', `${state}, pid ${status.pid}, up ${formatDuration(status.uptimeSeconds)}`],
    ['Name', status.name],
    ['Node id', status.nodeId],
    ['Registered', status.registered ? 'yes' : 'not yet (retrying)'],
    ['Control plane', `${status.controlPlaneUrl} (${connection})`],
    ['Jobs', `${status.jobs.length} running of ${status.maxConcurrentJobs}`],
    ...status.jobs.map((job) => [
      '',
      `${job.id}  ${job.type} ${job.model}  ${formatDuration(job.elapsedSeconds)}`,
    ]),
    ['P2P', describeP2p(status.p2p)],
    ['Logs', status.logFile ?? 'on the daemon’s stdout (--foreground)'],
    ...(status.recentErrors ?? []).map((error, index) => [
      index === 0 ? 'Recent errors' : '',
      `${error.at}  ${error.message}`,
    ]),
  ];
  output.line(formatTable(['Field', 'Value'], rows).split('\n').slice(1).join('\n'));
}

/** `port 46337, advertised`, `off (--no-p2p)`, … */
export function describeP2p(p2p: StatusData['p2p']): string {
  if (!p2p) return 'unknown (the daemon is of an earlier version)';
  if (!p2p.enabled) return 'off (--no-p2p)';
  if (p2p.port === null) return 'on, but the port could not be opened (see `infernet logs`)';
  return `port ${p2p.port}, ${p2p.advertised ? 'advertised' : 'not advertised (outbound-only)'}`;
}

async function showControlPlaneStatus(
  context: CommandContext,
  flags: StatusFlags,
): Promise<number> {
  const { output } = context;
  const config = requireIdentity(loadConfig(context, flags));
  let row: NodeRow | null;
  try {
    ({ row } = await context.createNodeClient(config).me());
  } catch (error) {
    throw explainError(error, config);
  }
  const exitCode = row ? EXIT_NOT_RUNNING : EXIT_FAILURE;
  if (flags.json) {
    output.json({
      registered: row !== null,
      controlPlane: config.controlPlaneUrl,
      node: row,
      daemon: { running: false },
    });
    return exitCode;
  }
  if (!row) {
    output.line(
      `This node (${config.identity.nodeId}) is not registered with ${config.controlPlaneUrl}: run \`infernet register\`.`,
    );
    return exitCode;
  }
  const gpus = row.specs.gpus.map((gpu) => `${gpu.vendor} ${gpu.model} (${gpu.vram_tier})`);
  const rows = [
    ['Daemon', 'not running here (start it with `infernet start`)'],
    ['Name', row.name ?? '(unnamed)'],
    ['Node id', row.node_id],
    [
      'Status',
      // An offline row said goodbye (a drained stop); its last heartbeat says nothing more.
      row.status === 'offline'
        ? 'offline'
        : `${row.status}, ${describeLiveness(row.last_seen, context.clock.now())}`,
    ],
    ['Last seen', row.last_seen ?? 'never'],
    ['Models', row.specs.served_models.join(', ') || 'none'],
    ['GPUs', gpus.join(', ') || 'none (CPU node)'],
    ['Control plane', config.controlPlaneUrl],
  ];
  output.line(formatTable(['Field', 'Value'], rows).split('\n').slice(1).join('\n'));
  return exitCode;
}

function describeLiveness(lastSeen: string | null, now: number): string {
  if (!lastSeen) return 'offline (never heartbeated; run `infernet start`)';
  const seconds = Math.max(Math.round((now - Date.parse(lastSeen)) / 1000), 0);
  return seconds <= NODE_LIVENESS_SECONDS
    ? `online (heartbeat ${seconds} s ago)`
    : `offline (last heartbeat ${seconds} s ago; is \`infernet start\` running?)`;
}

/** `59 s`, `4 m 05 s`, `3 h 12 m`, `2 d 4 h`. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(Math.floor(totalSeconds), 0);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} m`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
