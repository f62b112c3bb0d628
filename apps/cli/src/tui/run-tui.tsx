import { render, renderToString } from 'ink';
import { CliError, EXIT_NOT_RUNNING, EXIT_OK } from '../cli-error';
import type { CliConfig, Identity } from '../config';
import { loadConfig, type CommandContext, type SharedFlags } from '../context';
import { daemonFiles } from '../daemon/daemon-files';
import { Dashboard } from './dashboard';
import { createDashboardSource } from './dashboard-source';
import { TuiApp } from './tui-app';

export interface TuiFlags extends SharedFlags {
  once?: boolean;
}

/** Columns of the `--once` frame: a terminal's usual width, whatever the pipe says. */
const ONCE_COLUMNS = 100;

/**
 * `infernet tui`: a live dashboard of the running daemon, read over its
 * control socket every second; `q` or Ctrl-C quits. With `--once` it
 * prints one frame and exits (3 when no daemon runs), for scripts and
 * terminals without raw mode. The node's balance comes from the control
 * plane's ledger, asked every 30 s, when this config has an identity.
 */
export async function tuiCommand(context: CommandContext, flags: TuiFlags): Promise<number> {
  const config = loadConfig(context, flags);
  const { identity } = config;
  const client = identity
    ? context.createNodeClient(config as CliConfig & { identity: Identity })
    : undefined;
  const source = createDashboardSource({
    socketPath: daemonFiles(context.environment).socket,
    clock: context.clock,
    fetchBalance: client
      ? async () => (await client.listPayments({ limit: 1 })).balance
      : undefined,
  });

  if (flags.once) {
    const snapshot = await source.read({ awaitEarnings: true });
    if (snapshot.daemon === 'not-running') {
      context.output.error(
        'No node daemon is running, so there is nothing to show: start one with `infernet start`.',
      );
      return EXIT_NOT_RUNNING;
    }
    if (snapshot.daemon === 'unreadable') throw new CliError(snapshot.problem);
    context.output.line(
      renderToString(<Dashboard snapshot={snapshot} mode="once" />, { columns: ONCE_COLUMNS }),
    );
    return EXIT_OK;
  }

  const instance = render(<TuiApp source={source} />, { exitOnCtrlC: true });
  // Without raw mode (stdin is not a terminal) Ctrl-C arrives as a signal: end cleanly on it.
  const stop = () => instance.unmount();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return EXIT_OK;
}
