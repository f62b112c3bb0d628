import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT_OK } from '../cli-error';
import type { CommandContext } from '../context';
import { daemonFiles, runningDaemonPid } from '../daemon/daemon-files';
import { queryDaemon } from '../daemon/ipc-client';
import {
  CLI_BINARY,
  SOURCE_ROOT,
  findInstallation,
  versionAt,
  type Installation,
} from '../installation';
import { findExecutable, runProgram } from '../system-programs';
import { SERVICE_NAME, userUnitPath } from '../systemd-unit';
import { cliVersion } from '../version';
import { stopCommand } from './stop';

/** Cloning and `npm ci` on a slow link. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const GIT_TIMEOUT_MS = 2 * 60_000;

export interface UpdateFlags {
  check?: boolean;
}

/**
 * `infernet update`: runs the installer's update path on this installation
 * (fetch or re-copy, `npm ci`, shim). A running daemon is drained first, as
 * `infernet stop` does, and started again on the new code afterwards;
 * `--check` only reports.
 */
export async function updateCommand(context: CommandContext, flags: UpdateFlags): Promise<number> {
  const installation = findInstallation();
  if (!installation) {
    throw new CliError(
      `This infernet runs from ${SOURCE_ROOT}, which install.sh did not install: update that checkout with \`git pull && npm ci\`, or install with \`curl -fsSL https://infernetprotocol.com/install.sh | sh\`.`,
    );
  }
  return flags.check ? checkForUpdate(context, installation) : update(context, installation);
}

function downloadsDisabled(context: CommandContext): boolean {
  const value = context.environment.INFERNET_NO_DOWNLOAD;
  return value !== undefined && value !== '' && value !== '0';
}

async function git(context: CommandContext, source: string, args: string[]) {
  const path = findExecutable('git', context.environment);
  if (path === undefined) {
    throw new CliError('git is not on PATH: install it (e.g. `apt-get install git`) and retry.');
  }
  return runProgram(path, ['-C', source, ...args], {
    environment: context.environment,
    timeoutMs: GIT_TIMEOUT_MS,
  });
}

async function checkForUpdate(
  context: CommandContext,
  installation: Installation,
): Promise<number> {
  const { output } = context;
  output.line(`Installed: infernet ${cliVersion()} in ${installation.source}`);
  if (installation.installedAt) output.line(`Updated:   ${installation.installedAt}`);
  if (installation.kind === 'copy') {
    const available = installation.copiedFrom ? versionAt(installation.copiedFrom) : undefined;
    output.line(`Source:    a copy of ${installation.copiedFrom ?? '(unknown checkout)'}`);
    output.line(
      available === undefined
        ? `That checkout is gone: reinstall with INFERNET_SOURCE_DIR=<checkout> sh install.sh.`
        : `That checkout has version ${available}; \`infernet update\` copies it again.`,
    );
    return EXIT_OK;
  }
  output.line(
    `Source:    ${installation.repoUrl ?? 'git'}${installation.ref ? ` (${installation.ref})` : ''}`,
  );
  if (downloadsDisabled(context)) {
    output.line('INFERNET_NO_DOWNLOAD is set, so nothing was fetched: unset it to check.');
    return EXIT_OK;
  }
  const fetched = await git(context, installation.source, [
    'fetch',
    '--quiet',
    '--depth',
    '1',
    'origin',
    installation.ref ?? 'HEAD',
  ]);
  if (fetched.code !== 0) {
    throw new CliError(
      `Cannot fetch ${installation.repoUrl ?? 'the repository'}: ${(fetched.failure ?? fetched.stderr.trim()) || 'git failed'}. Check the network and retry.`,
    );
  }
  const [head, latest] = await Promise.all([
    git(context, installation.source, ['rev-parse', '--short', 'HEAD']),
    git(context, installation.source, ['rev-parse', '--short', 'FETCH_HEAD']),
  ]);
  const [current, available] = [head.stdout.trim(), latest.stdout.trim()];
  output.line(
    current === available
      ? `Up to date (${current}).`
      : `An update is available: ${current} → ${available}. Run \`infernet update\` (a running node finishes its jobs first).`,
  );
  return EXIT_OK;
}

/** How the daemon runs now, so it can be brought back the same way. */
async function runningDaemon(context: CommandContext): Promise<'systemd' | 'detached' | undefined> {
  const files = daemonFiles(context.environment);
  const answers = (await queryDaemon(files.socket, 'ping')) !== undefined;
  if (!answers && runningDaemonPid(files) === undefined) return undefined;
  const systemctl = findExecutable('systemctl', context.environment);
  if (systemctl && existsSync(userUnitPath(context.environment))) {
    const active = await runProgram(systemctl, ['--user', 'is-active', SERVICE_NAME], {
      environment: context.environment,
    });
    if (active.stdout.trim() === 'active') return 'systemd';
  }
  return 'detached';
}

async function update(context: CommandContext, installation: Installation): Promise<number> {
  const { output } = context;
  const before = cliVersion();
  const script = join(installation.source, 'install.sh');
  if (!existsSync(script)) {
    throw new CliError(
      `${script} is missing: reinstall with \`curl -fsSL https://infernetprotocol.com/install.sh | sh\`.`,
    );
  }
  const daemon = await runningDaemon(context);
  if (daemon !== undefined) {
    output.line('Draining the node daemon before the update (running jobs finish first).');
    await stopCommand(context);
  }

  // The installer replaces the tree it lives in, so it runs from a copy.
  const scratch = mkdtempSync(join(tmpdir(), 'infernet-update-'));
  let installed;
  try {
    copyFileSync(script, join(scratch, 'install.sh'));
    const { INFERNET_BEARER: _bearer, ...environment } = context.environment;
    installed = await runProgram('/bin/sh', [join(scratch, 'install.sh')], {
      environment: {
        ...environment,
        INFERNET_HOME: installation.home,
        INFERNET_SKIP_SETUP: '1',
        INFERNET_SKIP_RESTART: '1',
      },
      cwd: scratch,
      timeoutMs: INSTALL_TIMEOUT_MS,
      onStdout: (text) => output.write(text),
      onStderr: (text) => output.writeError(text),
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const restarted =
    daemon === undefined ? undefined : await restartDaemon(context, daemon, installation);
  if (installed.code !== 0) {
    throw new CliError(
      `The update failed (the installer's message is above): fix the cause and run \`infernet update\` again${daemon === undefined ? '' : restarted ? '; the node runs again meanwhile' : '; then start the node with `infernet start`'}.`,
    );
  }
  const after = versionAt(installation.source) ?? 'unknown';
  output.line(
    before === after
      ? `infernet ${after} is installed (reinstalled).`
      : `Updated infernet ${before} → ${after}.`,
  );
  if (daemon !== undefined && !restarted) {
    throw new CliError(
      'The update is installed but the node daemon did not start again (see above): run `infernet start` and check `infernet logs`.',
    );
  }
  return EXIT_OK;
}

/** Starts the daemon again on the new code, the way it ran before. */
async function restartDaemon(
  context: CommandContext,
  how: 'systemd' | 'detached',
  installation: Installation,
): Promise<boolean> {
  const { output } = context;
  const forward = {
    environment: context.environment,
    onStdout: (text: string) => output.write(text),
    onStderr: (text: string) => output.writeError(text),
  };
  if (how === 'systemd') {
    const systemctl = findExecutable('systemctl', context.environment) ?? 'systemctl';
    output.line(`Starting ${SERVICE_NAME} again…`);
    const result = await runProgram(systemctl, ['--user', 'start', SERVICE_NAME], forward);
    return result.code === 0;
  }
  output.line('Starting the node daemon again…');
  // A new process through the shim, so it loads the updated code (and Node.js, if that changed).
  const shim = installation.shim && existsSync(installation.shim) ? installation.shim : undefined;
  const [command, ...args] = shim ? [shim, 'start'] : [process.execPath, CLI_BINARY, 'start'];
  const result = await runProgram(command!, args, {
    ...forward,
    timeoutMs: 60_000,
  });
  return result.code === 0;
}
