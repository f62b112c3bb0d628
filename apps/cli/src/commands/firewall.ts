import { EXIT_OK, UsageError } from '../cli-error';
import { loadConfig, type CommandContext } from '../context';
import { FIREWALL_TOOLS, firewallRules, type FirewallTool } from '../firewall-rules';

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--p2p-port must be a whole number from 1 to 65535, not "${raw}".`);
  }
  return port;
}

/** The flag, else the port the daemon would listen on (environment, then config file). */
function portToOpen(context: CommandContext, flag: string | undefined): number {
  if (flag !== undefined) return parsePort(flag);
  const { port } = loadConfig(context).p2p;
  if (port === 0) {
    throw new UsageError(
      'The configured P2P port is 0 (a random port at each start), which no firewall rule can name: set a fixed one with `infernet start --p2p-port <port>` or pass --p2p-port here.',
    );
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
  const port = portToOpen(context, flags.p2pPort);
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
