import type { EngineModel } from '@infernet/engines';
import { DEFAULT_OLLAMA_HOST } from '@infernet/engines';
import { EXIT_OK, UsageError } from '../cli-error';
import { section, updateConfigFile } from '../config-update';
import { loadConfig, readConfig, type CommandContext, type SharedFlags } from '../context';
import { detectHardware } from '../hardware';
import { checkFit, formatBytes, suggestModels } from '../model-fit';
import { ask, askYesNo, canPrompt } from '../prompt';
import { initCommand } from './init';
import { listEngineModels, pullWithProgress, sameModel } from './model';

export interface SetupFlags extends SharedFlags {
  yes?: boolean;
}

/**
 * `infernet setup [--yes]`: from a fresh box to a config `infernet start`
 * can use. Creates the identity when there is none, detects the GPU and
 * the engine, suggests models that fit and pulls the one chosen, and
 * writes it all to the config file. `--yes` asks nothing: it keeps what is
 * configured, takes flags and INFERNET_* variables, pulls the configured
 * models that are missing and fit, and otherwise serves what the engine has.
 */
export async function setupCommand(context: CommandContext, flags: SetupFlags): Promise<number> {
  const { output } = context;
  const interactive = !flags.yes;
  if (interactive && !canPrompt()) {
    throw new UsageError(
      '`infernet setup` asks questions and needs a terminal: run it in one, or pass --yes for an unattended setup.',
    );
  }

  const existing = readConfig(context);
  if (!existing?.settings.node?.privateKey) {
    await initCommand(context, flags);
    output.line('');
  }

  let config = loadConfig(context, flags);
  const answers = { controlPlane: config.controlPlaneUrl, engineUrl: config.engine.url };
  if (interactive) {
    answers.controlPlane =
      (await ask(`Control plane URL [${config.controlPlaneUrl}]: `)) || config.controlPlaneUrl;
    if (config.engine.kind !== 'stub') {
      const current =
        config.engine.url ?? (config.engine.kind === 'ollama' ? DEFAULT_OLLAMA_HOST : '');
      answers.engineUrl =
        (await ask(`${config.engine.kind} URL [${current}]: `)) || config.engine.url;
    }
  }
  updateConfigFile(context, (raw) => {
    section(raw, 'controlPlane').url = answers.controlPlane;
    const engine = section(raw, 'engine');
    engine.kind = config.engine.kind;
    if (answers.engineUrl !== undefined) engine.url = answers.engineUrl;
    if (config.nodeName !== undefined) section(raw, 'node').name = config.nodeName;
  });
  config = loadConfig(context, flags);

  const hardware = await detectHardware(context.detectGpus);
  output.line(`Memory for models: ${hardware.memory.description}.`);

  const engine = context.createEngine(config.engine);
  const health = await engine.health();
  output.line(`Engine: ${health.detail}`);
  if (!health.ok) {
    output.line(
      config.engine.kind === 'ollama'
        ? 'Start Ollama (`ollama serve`), then run `infernet setup` again to choose a model.'
        : 'Start the engine, then run `infernet setup` again to choose a model.',
    );
    output.line(`Saved ${config.configPath}. Check everything with \`infernet doctor\`.`);
    return EXIT_OK;
  }

  let present: EngineModel[] = await listEngineModels(engine, config.controlPlaneUrl);
  const fitting = present.filter((model) => checkFit(model, hardware.memory).fits !== false);
  const suggestions = suggestModels(hardware.memory);
  let wanted = [...config.engine.models];

  if (interactive && wanted.length === 0) {
    if (fitting.length > 0) {
      output.line(`Models that fit: ${fitting.map((model) => model.name).join(', ')}.`);
    }
    const fallback = fitting[0]?.name ?? suggestions[0] ?? '';
    if (suggestions.length > 0)
      output.line(`Suggested for this machine: ${suggestions.join(', ')}.`);
    const chosen = (await ask(`Model to serve [${fallback || 'none'}]: `)) || fallback;
    if (chosen) wanted = [chosen];
  }

  for (const name of wanted) {
    if (present.some((model) => sameModel(model.name, name))) continue;
    const fit = checkFit({ name }, hardware.memory);
    if (fit.fits === false) {
      output.error(
        `Warning: not pulling ${name}: it needs about ${formatBytes(fit.estimate!.totalBytes)} and this node has ${hardware.memory.description}. Choose a smaller one (${suggestions.join(', ') || 'none suggested'}) with \`infernet model pull NAME\`.`,
      );
      continue;
    }
    if (interactive && !(await askYesNo(`${name} is not pulled yet. Pull it now?`, true))) continue;
    output.line(`Pulling ${name}…`);
    await pullWithProgress(output, engine, name);
  }
  present = await listEngineModels(engine, config.controlPlaneUrl);
  const served = wanted
    .map((name) => present.find((model) => sameModel(model.name, name))?.name)
    .filter((name): name is string => name !== undefined);

  if (wanted.length > 0) {
    updateConfigFile(context, (raw) => {
      section(raw, 'engine').models = served;
    });
  }
  const advertised =
    wanted.length > 0
      ? served
      : present
          .filter((model) => checkFit(model, hardware.memory).fits !== false)
          .map((model) => model.name);
  output.line('');
  output.line(`Saved ${config.configPath}.`);
  if (advertised.length > 0) {
    output.line(`This node will serve: ${advertised.join(', ')}.`);
    output.line(
      'Next: `infernet start` (it registers and takes jobs); `infernet doctor` checks everything.',
    );
  } else {
    output.line(
      suggestions.length > 0
        ? `No model to serve yet: pull one that fits, e.g. \`infernet model pull ${suggestions[0]}\`, then \`infernet start\`.`
        : 'No model to serve yet: pull one with `infernet model pull NAME`, then `infernet start`.',
    );
  }
  return EXIT_OK;
}
