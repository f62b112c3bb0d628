import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, EXIT_FAILURE, EXIT_NOT_RUNNING, EXIT_OK, UsageError } from '../cli-error';
import { loadConfig, readConfig, type CommandContext } from '../context';
import { daemonFiles, runningDaemonPid } from '../daemon/daemon-files';
import { cliCommand } from '../installation';
import { findExecutable, runProgram, type ProgramResult } from '../system-programs';
import { SERVICE_NAME, execStartOf, renderUserUnit, userUnitPath } from '../systemd-unit';

/** Beyond the drain timeout: handing jobs back and the goodbye heartbeat (as `infernet stop`). */
const STOP_GRACE_SECONDS = 60;
const SYSTEMCTL_TIMEOUT_MS = 30_000;

export type ServiceAction = 'install' | 'uninstall' | 'status';

/**
 * `infernet service install|uninstall|status`: a systemd user unit that runs
 * `infernet start --foreground`, so the node comes back after a crash or a
 * reboot. Uses `systemctl --user` where it exists; elsewhere it prints the
 * commands to run.
 */
export async function serviceCommand(
  context: CommandContext,
  action: string,
  flags: { json?: boolean },
): Promise<number> {
  if (process.platform !== 'linux') {
    throw new CliError(
      'The service is a systemd user unit, so Linux only: elsewhere run `infernet start` (it detaches), or `infernet start --foreground` under your own supervisor.',
    );
  }
  switch (action) {
    case 'install':
      return installService(context);
    case 'uninstall':
      return uninstallService(context);
    case 'status':
      return serviceStatus(context, flags);
    default:
      throw new UsageError(
        `Unknown service action "${action}": use \`infernet service install\`, \`uninstall\` or \`status\`.`,
      );
  }
}

function systemctl(context: CommandContext) {
  const path = findExecutable('systemctl', context.environment);
  return path === undefined
    ? undefined
    : (...args: string[]): Promise<ProgramResult> =>
        runProgram(path, ['--user', ...args], {
          environment: context.environment,
          timeoutMs: SYSTEMCTL_TIMEOUT_MS,
        });
}

function describeFailure(result: ProgramResult): string {
  return (result.failure ?? result.stderr.trim()) || `exit status ${result.code}`;
}

async function installService(context: CommandContext): Promise<number> {
  const { output, environment } = context;
  // The unit runs from the config file: a key only in INFERNET_PRIVATE_KEY never goes into it.
  if (!readConfig(context)?.settings.node?.privateKey) {
    throw new CliError(
      'No identity in the config file yet: run `infernet init` (and `infernet register`) first; the service runs from that file.',
    );
  }
  const config = loadConfig(context);
  const path = userUnitPath(environment);
  const xdg = environment.XDG_CONFIG_HOME;
  const unit = renderUserUnit({
    command: [...cliCommand(), 'start', '--foreground'],
    environment: xdg && xdg.startsWith('/') ? { XDG_CONFIG_HOME: xdg } : {},
    stopTimeoutSeconds: config.drainTimeoutMs / 1000 + STOP_GRACE_SECONDS,
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, unit, { mode: 0o644 });
  output.line(`Wrote the systemd user unit ${path}`);
  output.line(`It runs: ${execStartOf(unit)}`);

  const run = systemctl(context);
  const alreadyActive =
    run !== undefined && (await run('is-active', SERVICE_NAME)).stdout.trim() === 'active';
  // A daemon systemd did not start holds the pid file: starting the unit now would fail.
  const running = alreadyActive ? undefined : runningDaemonPid(daemonFiles(environment));
  const enable =
    running === undefined && !alreadyActive
      ? ['enable', '--now', SERVICE_NAME]
      : ['enable', SERVICE_NAME];
  const steps = [['daemon-reload'], enable];
  if (run === undefined) {
    output.line('');
    output.line('systemctl is not on PATH (this system does not run systemd, or not here):');
    output.line('nothing was enabled. On a systemd machine, run:');
    for (const step of steps) output.line(`  systemctl --user ${step.join(' ')}`);
    output.line(
      `  loginctl enable-linger ${environment.USER ?? '$USER'}   # keep it running after you log out`,
    );
    return EXIT_OK;
  }
  for (const step of steps) {
    const result = await run(...step);
    if (result.code !== 0) {
      throw new CliError(
        `\`systemctl --user ${step.join(' ')}\` failed: ${describeFailure(result)}. The unit is written; in a login session of this user (systemd needs your user manager), run:\n${steps.map((s) => `  systemctl --user ${s.join(' ')}`).join('\n')}`,
      );
    }
  }
  if (alreadyActive) {
    output.line(
      `Enabled ${SERVICE_NAME}; it was already running. Apply the new unit with \`systemctl --user restart ${SERVICE_NAME}\` (running jobs finish first).`,
    );
  } else if (running !== undefined) {
    output.line(
      `Enabled ${SERVICE_NAME}. A node daemon already runs outside systemd (pid ${running}): hand it over with \`infernet stop && systemctl --user start ${SERVICE_NAME}\`.`,
    );
  } else {
    output.line(
      `Enabled and started ${SERVICE_NAME}: \`infernet service status\` shows it, \`journalctl --user -u infernet -f\` its log.`,
    );
  }
  output.line(
    `To keep it running after you log out: loginctl enable-linger ${environment.USER ?? '$USER'}`,
  );
  return EXIT_OK;
}

async function uninstallService(context: CommandContext): Promise<number> {
  const { output, environment } = context;
  const path = userUnitPath(environment);
  if (!existsSync(path)) {
    output.line(`No infernet service is installed (no ${path}); nothing to do.`);
    return EXIT_OK;
  }
  const run = systemctl(context);
  if (run !== undefined) {
    // Stopping the unit sends SIGTERM: running jobs finish first.
    const disabled = await run('disable', '--now', SERVICE_NAME);
    if (disabled.code !== 0) {
      output.error(
        `Warning: \`systemctl --user disable --now ${SERVICE_NAME}\` failed (${describeFailure(disabled)}); removing the unit anyway.`,
      );
    }
  }
  rmSync(path, { force: true });
  output.line(`Removed ${path}.`);
  if (run === undefined) {
    output.line('systemctl is not on PATH; where the unit was loaded, run:');
    output.line(`  systemctl --user disable --now ${SERVICE_NAME}`);
    output.line('  systemctl --user daemon-reload');
    return EXIT_OK;
  }
  const reload = await run('daemon-reload');
  if (reload.code !== 0) {
    output.error(
      `Warning: \`systemctl --user daemon-reload\` failed (${describeFailure(reload)}).`,
    );
  }
  output.line('The service is stopped and disabled; `infernet start` still runs the node by hand.');
  return EXIT_OK;
}

interface ServiceState {
  installed: boolean;
  unitPath: string;
  execStart: string | null;
  /** `systemctl --user is-enabled` / `is-active`, or null without systemctl. */
  enabled: string | null;
  active: string | null;
  daemonPid: number | null;
}

async function serviceStatus(context: CommandContext, flags: { json?: boolean }): Promise<number> {
  const { output, environment } = context;
  const unitPath = userUnitPath(environment);
  const installed = existsSync(unitPath);
  const run = systemctl(context);
  const ask = async (query: string) =>
    run && installed ? (await run(query, SERVICE_NAME)).stdout.trim() || 'unknown' : null;
  const state: ServiceState = {
    installed,
    unitPath,
    execStart: installed ? (execStartOf(readFileSync(unitPath, 'utf8')) ?? null) : null,
    enabled: await ask('is-enabled'),
    active: await ask('is-active'),
    daemonPid: runningDaemonPid(daemonFiles(environment)) ?? null,
  };
  const running = state.active === null ? state.daemonPid !== null : state.active === 'active';
  if (flags.json) {
    output.json({ ...state, running });
  } else {
    output.line(`Unit      ${unitPath} (${installed ? 'installed' : 'not installed'})`);
    if (state.execStart) output.line(`Runs      ${state.execStart}`);
    if (run === undefined) output.line('systemd   systemctl is not on PATH: cannot ask systemd');
    if (state.enabled !== null) output.line(`Enabled   ${state.enabled}`);
    if (state.active !== null) output.line(`Active    ${state.active}`);
    output.line(
      `Daemon    ${state.daemonPid === null ? 'not running' : `running, pid ${state.daemonPid}`}`,
    );
  }
  if (!installed) {
    output.error('The service is not installed: run `infernet service install`.');
    return EXIT_FAILURE;
  }
  if (!running) {
    if (!flags.json) {
      output.line(
        `Not running: start it with \`systemctl --user start ${SERVICE_NAME}\`; \`journalctl --user -u infernet\` says why it stopped.`,
      );
    }
    return EXIT_NOT_RUNNING;
  }
  return EXIT_OK;
}
