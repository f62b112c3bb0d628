import { EXIT_NOT_RUNNING, EXIT_OK } from '../cli-error';
import type { CommandContext } from '../context';
import { daemonFiles } from '../daemon/daemon-files';
import { queryDaemon } from '../daemon/ipc-client';
import { formatTable } from '../output';
import { formatDuration } from './status';

/** The running daemon's counters since it started. Exit 3 when no daemon runs. */
export async function statsCommand(
  context: CommandContext,
  flags: { json?: boolean },
): Promise<number> {
  const { output } = context;
  const files = daemonFiles(context.environment);
  const stats = await queryDaemon(files.socket, 'stats');
  if (!stats) {
    if (flags.json) output.json({ running: false });
    output.error(
      'No node daemon is running, so there are no stats: start one with `infernet start`.',
    );
    return EXIT_NOT_RUNNING;
  }
  if (flags.json) {
    output.json({ running: true, ...stats });
    return EXIT_OK;
  }
  const { jobs, tokens, earnings } = stats;
  const rows = [
    ['Uptime', formatDuration(stats.uptimeSeconds)],
    ['Jobs running', String(jobs.running)],
    ['Jobs completed', String(jobs.completed)],
    ['Jobs failed', String(jobs.failed)],
    ['Tokens served', String(tokens.served)],
    [
      'Tokens/s (recent)',
      tokens.perSecondRecent === null ? 'no answers yet' : tokens.perSecondRecent.toFixed(1),
    ],
    [
      'Earnings',
      earnings
        ? `${earnings.amount} ${earnings.currency}`
        : 'not reported by the control plane yet',
    ],
  ];
  output.line(formatTable(['Field', 'Value'], rows).split('\n').slice(1).join('\n'));
  return EXIT_OK;
}
