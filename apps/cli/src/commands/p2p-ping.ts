import { encodeNpub } from '@infernet/auth';
import { CliError, EXIT_OK, UsageError } from '../cli-error';
import { loadConfig, requireIdentity, type CommandContext } from '../context';
import { PeerDropped } from '../p2p/framed-socket';
import { connectToPeer, parsePeerAddress, type PeerConnection } from '../p2p/p2p-client';

/**
 * `infernet p2p ping <address>`: dials a peer with this node's key, runs
 * the signed handshake, asks for its info and pings it once.
 */
export async function p2pPingCommand(
  context: CommandContext,
  address: string,
  flags: { json?: boolean },
): Promise<number> {
  const target = parsePeerAddress(address);
  if (!target) {
    throw new UsageError(
      `"${address}" is not a peer address: use host:port, [ipv6]:port or a host (port 46337).`,
    );
  }
  const { identity } = requireIdentity(loadConfig(context));
  let connection: PeerConnection;
  try {
    connection = await connectToPeer({ ...target, identity });
  } catch (error) {
    const reason =
      error instanceof PeerDropped ? `${error.reason}: ${error.message}` : (error as Error).message;
    throw new CliError(
      `No P2P session with ${address} (${reason}). Is the peer running with P2P on (not --no-p2p), and its port open (\`infernet firewall\`)?`,
      { cause: error },
    );
  }
  try {
    const info = await connection.info();
    const roundTripMs = await connection.ping();
    const peer = {
      publicKey: connection.peer.publicKey,
      npub: encodeNpub(connection.peer.publicKey),
    };
    if (flags.json) {
      context.output.json({ peer, info, roundTripMs: Math.round(roundTripMs * 100) / 100 });
      return EXIT_OK;
    }
    context.output.line(`Peer ${peer.npub} proved its key (protocol ${info.protocol}).`);
    context.output.line(`  node     ${info.node_id} (${info.name}), infernet ${info.version}`);
    context.output.line(`  models   ${info.models.join(', ') || 'none'}`);
    context.output.line(`  ping     ${roundTripMs.toFixed(1)} ms`);
    return EXIT_OK;
  } finally {
    connection.close();
  }
}
