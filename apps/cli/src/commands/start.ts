import { loadConfig, requireIdentity, type CommandContext, type SharedFlags } from '../context';
import { startDetached } from '../daemon/detach';
import { runNodeProcess } from '../daemon/node-process';

export interface StartFlags extends SharedFlags {
  foreground?: boolean;
  /** Internal: the detached daemon logs to the rotating `daemon.log` instead of stdout. */
  logToFile?: boolean;
}

/**
 * Starts the node daemon. By default in the background (`infernet stop`
 * stops it); with `--foreground` in this process, logging JSON lines to
 * stdout, for systemd, Docker or a terminal.
 */
export async function startCommand(
  context: CommandContext,
  flags: StartFlags,
  exit: (code: number) => never,
): Promise<number> {
  if (flags.foreground) {
    return runNodeProcess(context, flags, { logToFile: flags.logToFile === true, exit });
  }
  // Refuse a bad config or a missing identity here, where the user sees it.
  requireIdentity(loadConfig(context, flags));
  return startDetached(context, flags);
}
