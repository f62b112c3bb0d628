import { NODE_LIVENESS_SECONDS, type NodeRow } from '@infernet/protocol';
import { EXIT_FAILURE, EXIT_OK } from '../cli-error';
import { loadConfig, requireIdentity, type CommandContext, type SharedFlags } from '../context';
import { explainError } from '../explain-error';
import { formatTable } from '../output';

export interface StatusFlags extends SharedFlags {
  json?: boolean;
}

/** Shows this node's row on the control plane (signed `me`). Exit 1 when it is not registered. */
export async function statusCommand(context: CommandContext, flags: StatusFlags): Promise<number> {
  const { output } = context;
  const config = requireIdentity(loadConfig(context, flags));
  let row: NodeRow | null;
  try {
    ({ row } = await context.createNodeClient(config).me());
  } catch (error) {
    throw explainError(error, config);
  }
  if (flags.json) {
    output.json({ registered: row !== null, controlPlane: config.controlPlaneUrl, node: row });
    return row ? EXIT_OK : EXIT_FAILURE;
  }
  if (!row) {
    output.line(
      `This node (${config.identity.nodeId}) is not registered with ${config.controlPlaneUrl}: run \`infernet register\`.`,
    );
    return EXIT_FAILURE;
  }
  const gpus = row.specs.gpus.map((gpu) => `${gpu.vendor} ${gpu.model} (${gpu.vram_tier})`);
  const rows = [
    ['Name', row.name ?? '(unnamed)'],
    ['Node id', row.node_id],
    ['Status', `${row.status}, ${describeLiveness(row.last_seen, context.clock.now())}`],
    ['Last seen', row.last_seen ?? 'never'],
    ['Models', row.specs.served_models.join(', ') || 'none'],
    ['GPUs', gpus.join(', ') || 'none (CPU node)'],
    ['Control plane', config.controlPlaneUrl],
  ];
  output.line(formatTable(['Field', 'Value'], rows).split('\n').slice(1).join('\n'));
  return EXIT_OK;
}

function describeLiveness(lastSeen: string | null, now: number): string {
  if (!lastSeen) return 'offline (never heartbeated; run `infernet start --foreground`)';
  const seconds = Math.max(Math.round((now - Date.parse(lastSeen)) / 1000), 0);
  return seconds <= NODE_LIVENESS_SECONDS
    ? `online (heartbeat ${seconds} s ago)`
    : `offline (last heartbeat ${seconds} s ago; is \`infernet start\` running?)`;
}
