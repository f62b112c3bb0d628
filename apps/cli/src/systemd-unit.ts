import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from './config';

export const SERVICE_NAME = 'infernet.service';

/**
 * Where systemd looks for this user's units: `$XDG_CONFIG_HOME/systemd/user`
 * (when absolute), else `~/.config/systemd/user`.
 */
export function userUnitPath(environment: Environment): string {
  const xdg = environment.XDG_CONFIG_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(environment.HOME || homedir(), '.config');
  return join(base, 'systemd', 'user', SERVICE_NAME);
}

/**
 * One word of a systemd command line. `%` starts a specifier and `$` a
 * variable, so both are doubled; a word with blanks, quotes or backslashes
 * is double-quoted with C-style escapes (systemd.service(5), "Command lines").
 */
export function systemdWord(word: string): string {
  const escaped = word.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (escaped !== '' && !/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export interface UnitOptions {
  /** The program and its arguments, e.g. `[shim, 'start', '--foreground']`. */
  command: readonly string[];
  /** Variables the daemon needs that the user manager does not set (XDG_CONFIG_HOME). */
  environment: Readonly<Record<string, string>>;
  /** How long systemd waits after SIGTERM: the drain timeout plus time to hand jobs back. */
  stopTimeoutSeconds: number;
}

/**
 * The user unit. `Type=simple` with `start --foreground` (JSON lines go to
 * the journal); SIGTERM drains as `infernet stop` does, so systemd waits
 * `TimeoutStopSec` before killing. `Restart=on-failure` brings back a crash
 * but not a clean `infernet stop` (exit 0).
 */
export function renderUserUnit({ command, environment, stopTimeoutSeconds }: UnitOptions): string {
  const lines = [
    '# Written by `infernet service install`; remove with `infernet service uninstall`.',
    '[Unit]',
    'Description=Infernet provider node',
    'Documentation=https://github.com/profullstack/infernet-protocol',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${command.map(systemdWord).join(' ')}`,
    ...Object.entries(environment).map(
      ([name, value]) => `Environment=${systemdWord(`${name}=${value}`)}`,
    ),
    'Restart=on-failure',
    'RestartSec=10',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${Math.ceil(stopTimeoutSeconds)}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}

/** The `ExecStart=` line's value, read back from a unit file. */
export function execStartOf(unit: string): string | undefined {
  return /^ExecStart=(.*)$/m.exec(unit)?.[1];
}
