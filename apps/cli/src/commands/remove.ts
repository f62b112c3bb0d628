import { encodeNpub } from '@infernet/auth';
import { existsSync, rmSync } from 'node:fs';
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-error';
import { configDirectory, defaultNodeName } from '../config';
import {
  loadConfig,
  readConfig,
  requireIdentity,
  type CommandContext,
  type SharedFlags,
} from '../context';
import { daemonFiles, runningDaemonPid } from '../daemon/daemon-files';
import { queryDaemon } from '../daemon/ipc-client';
import { explainError } from '../explain-error';
import { findInstallation } from '../installation';
import { askYesNo, canPrompt } from '../prompt';
import { userUnitPath } from '../systemd-unit';
import { serviceCommand } from './service';
import { stopCommand } from './stop';

export interface RemoveFlags extends SharedFlags {
  yes?: boolean;
  purge?: boolean;
}

/**
 * `infernet remove`: takes this node off the network. After confirmation it
 * stops the daemon (running jobs finish first) and the systemd service, so
 * nothing registers it again, then deregisters it with a signed
 * `POST /api/v1/node/remove`. The identity stays unless `--purge`; it is
 * never deleted before the control plane confirmed, so a failed removal
 * can be retried.
 */
export async function removeCommand(context: CommandContext, flags: RemoveFlags): Promise<number> {
  const { output, environment } = context;
  const config = requireIdentity(loadConfig(context, flags));
  const name = config.nodeName ?? defaultNodeName(config.identity.publicKey);
  const what = `node ${name} (${config.identity.nodeId}) from ${config.controlPlaneUrl}${flags.purge ? ' and delete its identity' : ''}`;
  if (!flags.yes) {
    if (!canPrompt()) {
      throw new UsageError(
        `\`infernet remove\` would deregister ${what}: pass --yes to confirm (nothing was changed).`,
      );
    }
    if (!(await askYesNo(`Remove ${what}?`))) {
      output.line('Nothing changed.');
      return EXIT_FAILURE;
    }
  }

  const stopped = await stopEverything(context);

  let deleted: boolean;
  try {
    ({ deleted } = await context.createNodeClient(config).remove());
  } catch (error) {
    const explained = explainError(error, config);
    throw new CliError(
      `${explained.message} ${stopped ? 'The node is stopped and its identity kept' : 'The identity is kept'}: run \`infernet remove --yes\` again once the control plane answers.`,
      { cause: error },
    );
  }
  output.line(
    deleted
      ? `Removed ${name} (${config.identity.nodeId}) from ${config.controlPlaneUrl}: it gets no more jobs.`
      : `${name} was not registered on ${config.controlPlaneUrl}; nothing to remove there.`,
  );

  const directory = configDirectory(environment);
  const fileHasKey = Boolean(readConfig(context)?.settings.node?.privateKey);
  if (flags.purge) {
    rmSync(directory, { recursive: true, force: true });
    output.line(
      `Deleted ${directory}: the identity ${encodeNpub(config.identity.publicKey)}, config and logs.`,
    );
    if (!fileHasKey) output.line('The key came from INFERNET_PRIVATE_KEY: unset it too.');
  } else if (fileHasKey) {
    output.line(
      `Kept the identity in ${config.configPath}: \`infernet register\` brings the node back; \`infernet remove --yes --purge\` deletes it.`,
    );
  }
  const installation = findInstallation();
  if (installation) {
    output.line(
      `The software stays installed; remove it with: rm -rf ${installation.home}${installation.shim ? ` ${installation.shim}` : ''}`,
    );
  }
  return EXIT_OK;
}

/**
 * Stops the service (so it does not start the node again) and any daemon,
 * draining jobs. Resolves true when something was stopped.
 */
async function stopEverything(context: CommandContext): Promise<boolean> {
  const { environment } = context;
  const hadService = existsSync(userUnitPath(environment));
  if (hadService) await serviceCommand(context, 'uninstall', {});
  const files = daemonFiles(environment);
  const running =
    (await queryDaemon(files.socket, 'ping')) !== undefined ||
    runningDaemonPid(files) !== undefined;
  if (running) await stopCommand(context);
  return hadService || running;
}
