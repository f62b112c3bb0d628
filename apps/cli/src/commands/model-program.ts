import { Option, type Command } from 'commander';
import type { CommandContext } from '../context';
import { doctorCommand, type DoctorFlags } from './doctor';
import {
  modelListCommand,
  modelPullCommand,
  modelRemoveCommand,
  modelUseCommand,
  type ModelFlags,
} from './model';
import { setupCommand, type SetupFlags } from './setup';

type Record = <Args extends unknown[]>(
  run: (...args: Args) => Promise<number>,
) => (...args: Args) => Promise<void>;

/**
 * Adds `model` (list, pull, rm, use), `setup` and `doctor` to the program,
 * with the engine and control-plane flags the other commands take.
 */
export function addModelCommands(
  program: Command,
  helpers: {
    context: CommandContext;
    record: Record;
    withEngine: (command: Command) => Command;
    withControlPlane: (command: Command) => Command;
  },
): void {
  const { context, record, withEngine, withControlPlane } = helpers;
  // The engine flags without --model: these commands name their models as arguments.
  const engineOptions = (command: Command) =>
    command
      .addOption(
        new Option(
          '--engine <kind>',
          'inference engine (env INFERNET_ENGINE; default ollama)',
        ).choices(['ollama', 'openai-compatible', 'stub']),
      )
      .option('--engine-url <url>', 'engine URL (env INFERNET_ENGINE_URL or OLLAMA_HOST)');
  const model = program
    .command('model')
    .description('the engine’s models: list, pull, rm, use (which ones this node serves)');

  engineOptions(
    model
      .command('list')
      .description('models in the engine, whether each fits, and which are served'),
  )
    .option('--json', 'print JSON')
    .action(record(async (flags: ModelFlags) => modelListCommand(context, flags)));

  engineOptions(
    model
      .command('pull')
      .description('download a model into the engine (asks first when it will not fit)')
      .argument('<name>', 'e.g. llama3.2:1b'),
  )
    .option('-y, --yes', 'pull even when it will not fit, without asking')
    .action(
      record(async (name: string, flags: ModelFlags) => modelPullCommand(context, name, flags)),
    );

  engineOptions(
    model
      .command('rm')
      .description('delete a model from the engine (and from the served list)')
      .argument('<name>', 'a pulled model'),
  ).action(
    record(async (name: string, flags: ModelFlags) => modelRemoveCommand(context, name, flags)),
  );

  engineOptions(
    model
      .command('use')
      .description('serve these models (saved in the config; each must be pulled)')
      .argument('<names...>', 'pulled models'),
  ).action(
    record(async (names: string[], flags: ModelFlags) => modelUseCommand(context, names, flags)),
  );

  withEngine(
    withControlPlane(
      program
        .command('setup')
        .description(
          'set this node up: identity, GPU, engine, a model that fits; writes the config',
        ),
    ),
  )
    .option('--name <name>', 'node name shown to others')
    .option('-y, --yes', 'ask nothing: keep what is configured, use flags and INFERNET_* variables')
    .action(record(async (flags: SetupFlags) => setupCommand(context, flags)));

  withEngine(
    withControlPlane(
      program
        .command('doctor')
        .description(
          'check config, key, control plane, clock, engine, GPU and models; prints fixes',
        ),
    ),
  )
    .option('--json', 'print JSON')
    .action(record(async (flags: DoctorFlags) => doctorCommand(context, flags)));
}
