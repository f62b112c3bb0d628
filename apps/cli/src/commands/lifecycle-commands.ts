import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { removeCommand, type RemoveFlags } from './remove';
import { serviceCommand } from './service';
import { updateCommand, type UpdateFlags } from './update';

/** Wraps an action so its exit code is recorded (see `buildProgram`). */
export type RecordExitCode = <Args extends unknown[]>(
  run: (...args: Args) => Promise<number>,
) => (...args: Args) => Promise<void>;

/** `service`, `update` and `remove`: running the node as a service, updating and retiring it. */
export function addLifecycleCommands(
  program: Command,
  context: CommandContext,
  record: RecordExitCode,
): void {
  const service = program
    .command('service')
    .description('run the node as a systemd user service (install, uninstall, status)');
  service
    .command('install')
    .description(
      'write ~/.config/systemd/user/infernet.service and enable it with systemctl --user',
    )
    .action(record(async () => serviceCommand(context, 'install', {})));
  service
    .command('uninstall')
    .description('stop and disable the service and remove its unit file')
    .action(record(async () => serviceCommand(context, 'uninstall', {})));
  service
    .command('status')
    .description('whether the service is installed, enabled and running (exit 3 when not running)')
    .option('--json', 'print JSON')
    .action(record(async (flags: { json?: boolean }) => serviceCommand(context, 'status', flags)));

  program
    .command('update')
    .description('update the installed CLI; a running daemon finishes its jobs first and restarts')
    .option('--check', 'only report whether an update is available')
    .action(record(async (flags: UpdateFlags) => updateCommand(context, flags)));

  program
    .command('remove')
    .description('stop the node and deregister it from the control plane')
    .option(
      '--control-plane <url>',
      'control plane URL (env INFERNET_CONTROL_PLANE_URL; default http://localhost:3000)',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--purge', 'also delete the identity, config and logs (the key cannot be recovered)')
    .action(record(async (flags: RemoveFlags) => removeCommand(context, flags)));
}
