import { DEFAULT_P2P_PORT } from '@infernet/protocol';
import { EXIT_OK, UsageError } from '../cli-error';
import type { CommandContext } from '../context';
import { FIREWALL_TOOLS, firewallRules, type FirewallTool } from '../firewall-rules';

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_P2P_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--p2p-port must be a whole number from 1 to 65535, not "${raw}".`);
  }
  return port;
}

function isTool(value: string): value is FirewallTool {
  return (FIREWALL_TOOLS as readonly string[]).includes(value);
}

/** `infernet firewall [tool]`: prints how to open the P2P port; never runs anything. */
export async function firewallCommand(
  context: CommandContext,
  tool: string | undefined,
  flags: { p2pPort?: string; json?: boolean },
): Promise<number> {
  if (tool !== undefined && !isTool(tool)) {
    throw new UsageError(`Unknown firewall "${tool}": choose one of ${FIREWALL_TOOLS.join(', ')}.`);
  }
  const port = parsePort(flags.p2pPort);
  const rules = firewallRules(port).filter((rule) => tool === undefined || rule.tool === tool);
  const { output } = context;
  if (flags.json) {
    output.json({ port, protocol: 'tcp', rules });
    return EXIT_OK;
  }
  output.line(
    `To accept direct peer connections on TCP ${port}, run the commands for your firewall.`,
  );
  output.line('Infernet never changes firewall state; outbound-only nodes need none of this.\n');
  for (const rule of rules) {
    output.line(`# ${rule.platform}`);
    for (const command of rule.commands) output.line(`  ${command}`);
    if (rule.note) output.line(`  (${rule.note})`);
    output.line('');
  }
  return EXIT_OK;
}
