import type { Engine, EngineModel, PullProgress } from '@infernet/engines';
import { InfernetError } from '@infernet/protocol';
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-error';
import { section, updateConfigFile } from '../config-update';
import { loadConfig, readConfig, type CommandContext, type SharedFlags } from '../context';
import { explainError } from '../explain-error';
import { detectHardware } from '../hardware';
import {
  checkFit,
  formatBytes,
  suggestModels,
  type MemoryBudget,
  type ModelFit,
} from '../model-fit';
import { formatTable, type Output } from '../output';
import { askYesNo, canPrompt } from '../prompt';

export interface ModelFlags extends SharedFlags {
  json?: boolean;
  yes?: boolean;
}

/** Ollama resolves a bare name to its `:latest` tag; so does everything here. */
export function sameModel(listed: string, wanted: string): boolean {
  return listed === wanted || listed === `${wanted}:latest`;
}

export async function listEngineModels(
  engine: Engine,
  controlPlaneUrl: string,
): Promise<EngineModel[]> {
  try {
    return await engine.listModels();
  } catch (error) {
    throw explainError(error, { controlPlaneUrl });
  }
}

/** Engines that cannot pull or remove say so with BAD_REQUEST; that message is the whole story. */
function explainEngineAction(error: unknown): CliError {
  if (InfernetError.isInstance(error) && error.code === 'BAD_REQUEST') {
    return new CliError(error.message, { cause: error });
  }
  return explainError(error);
}

export interface ListedModel {
  name: string;
  sizeBytes: number | null;
  parameterCount: number | null;
  quantization: string | null;
  /** Estimated memory once loaded (weights + context + runtime); null when unknown. */
  requiredBytes: number | null;
  fits: boolean | null;
  /** Advertised by this node: present, fits, and configured (or nothing is configured). */
  served: boolean;
}

export function describeModels(
  models: readonly EngineModel[],
  configured: readonly string[],
  memory: MemoryBudget,
  { loaded = false }: { loaded?: boolean } = {},
): ListedModel[] {
  return models.map((model) => {
    // `loaded`: the engine lists only models it is already running (OpenAI-compatible servers).
    const fit: ModelFit = loaded
      ? { fits: true, estimate: undefined, availableBytes: memory.bytes }
      : checkFit(model, memory);
    const chosen =
      configured.length === 0 || configured.some((wanted) => sameModel(model.name, wanted));
    return {
      name: model.name,
      sizeBytes: model.sizeBytes,
      parameterCount: model.parameterCount ?? null,
      quantization: model.quantization ?? null,
      requiredBytes: fit.estimate?.totalBytes ?? null,
      fits: fit.fits,
      served: chosen && fit.fits !== false,
    };
  });
}

/** `infernet model list [--json]`: the engine's models, whether each fits, and whether it is served. */
export async function modelListCommand(
  context: CommandContext,
  flags: ModelFlags,
): Promise<number> {
  const { output } = context;
  const config = loadConfig(context, flags);
  const engine = context.createEngine(config.engine);
  const [hardware, models] = await Promise.all([
    detectHardware(context.detectGpus),
    listEngineModels(engine, config.controlPlaneUrl),
  ]);
  const listed = describeModels(models, config.engine.models, hardware.memory, {
    loaded: engine.kind !== 'ollama',
  });
  const missing = config.engine.models.filter(
    (wanted) => !models.some((model) => sameModel(model.name, wanted)),
  );
  if (flags.json) {
    output.json({
      engine: { kind: engine.kind, label: engine.label },
      memory: hardware.memory,
      configured: config.engine.models,
      missing,
      models: listed,
    });
    return EXIT_OK;
  }
  if (listed.length === 0) {
    output.line(`The ${engine.label} engine has no models yet.`);
  } else {
    output.line(
      formatTable(
        ['Name', 'Size', 'Params', 'Quant', 'Needs', 'Fits', 'Served'],
        listed.map((model) => [
          model.name,
          model.sizeBytes === null ? '-' : formatBytes(model.sizeBytes),
          model.parameterCount === null ? '-' : formatParameters(model.parameterCount),
          model.quantization ?? '-',
          model.requiredBytes === null ? '?' : formatBytes(model.requiredBytes),
          model.fits === null ? 'unknown' : model.fits ? 'yes' : 'no',
          model.served ? 'yes' : 'no',
        ]),
      ),
    );
  }
  output.line(`\nMemory for models: ${hardware.memory.description}.`);
  if (missing.length > 0) {
    output.line(`Configured but not pulled: ${missing.join(', ')} (\`infernet model pull NAME\`).`);
  }
  if (!listed.some((model) => model.served)) {
    const suggestions = suggestModels(hardware.memory);
    output.line(
      suggestions.length > 0
        ? `Nothing is served: pull one that fits, e.g. \`infernet model pull ${suggestions[0]}\`.`
        : 'Nothing is served, and no suggested model fits this memory.',
    );
  }
  return EXIT_OK;
}

function formatParameters(count: number): string {
  return count >= 1e9 ? `${Number((count / 1e9).toFixed(1))}B` : `${Math.round(count / 1e6)}M`;
}

function describeShortfall(name: string, fit: ModelFit, memory: MemoryBudget): string {
  const estimate = fit.estimate!;
  return (
    `${name} needs about ${formatBytes(estimate.totalBytes)} (weights ${formatBytes(estimate.weightsBytes)}, ` +
    `context ${formatBytes(estimate.contextBytes)}, runtime ${formatBytes(estimate.overheadBytes)}) ` +
    `but this node has ${memory.description}: loading it would fail, and the node will not advertise it.`
  );
}

/**
 * `infernet model pull NAME [--yes]`: downloads a model into the engine,
 * with a progress bar on a terminal and plain lines otherwise. A model
 * that will not fit is pulled only after a yes (or with `--yes`).
 */
export async function modelPullCommand(
  context: CommandContext,
  name: string,
  flags: ModelFlags,
): Promise<number> {
  const { output } = context;
  const config = loadConfig(context, flags);
  const engine = context.createEngine(config.engine);
  const { memory } = await detectHardware(context.detectGpus);
  const fit = checkFit({ name }, memory);
  if (fit.fits === false) {
    output.error(`Warning: ${describeShortfall(name, fit, memory)}`);
    const suggestions = suggestModels(memory);
    const instead = suggestions.length > 0 ? ` Models that fit: ${suggestions.join(', ')}.` : '';
    if (!flags.yes) {
      if (!canPrompt()) {
        throw new CliError(
          `Not pulling ${name}: it will not fit, and there is no terminal to ask. Pass --yes to pull it anyway.${instead}`,
        );
      }
      if (!(await askYesNo(`Pull ${name} anyway?`))) {
        output.error(`Not pulled.${instead}`);
        return EXIT_FAILURE;
      }
    }
  }
  await pullWithProgress(output, engine, name);
  const configured = config.engine.models;
  output.line(`Pulled ${name} into ${engine.label}.`);
  if (configured.length > 0 && !configured.some((wanted) => sameModel(name, wanted))) {
    output.line(
      `This node serves ${configured.join(', ')}: add it with \`infernet model use ${[...configured, name].join(' ')}\`.`,
    );
  } else if (fit.fits !== false) {
    output.line('A running daemon advertises it from its next heartbeat (within 30 s).');
  }
  return EXIT_OK;
}

/** Pulls with a progress bar on a terminal, plain lines otherwise. */
export async function pullWithProgress(
  output: Output,
  engine: Engine,
  name: string,
): Promise<void> {
  const progress = output.interactive ? new ProgressBar(output) : new ProgressLines(output);
  try {
    await engine.pull(name, { onProgress: (update) => progress.update(update) });
  } catch (error) {
    // Ollama's answer for a name its library does not have; the engine itself is fine.
    if (error instanceof Error && error.message.includes('file does not exist')) {
      throw new CliError(
        `${engine.label} found no model called ${name}: check the name and tag at https://ollama.com/library (e.g. llama3.2:1b).`,
        { cause: error },
      );
    }
    throw explainEngineAction(error);
  } finally {
    progress.finish();
  }
}

/** `infernet model rm NAME`: deletes a pulled model, and drops it from the served list. */
export async function modelRemoveCommand(
  context: CommandContext,
  name: string,
  flags: ModelFlags,
): Promise<number> {
  const { output } = context;
  const config = loadConfig(context, flags);
  const engine = context.createEngine(config.engine);
  const models = await listEngineModels(engine, config.controlPlaneUrl);
  const match = models.find((model) => sameModel(model.name, name));
  if (!match) {
    throw new CliError(
      `${name} is not pulled in ${engine.label}: \`infernet model list\` shows what is.`,
    );
  }
  try {
    await engine.remove(match.name);
  } catch (error) {
    throw explainEngineAction(error);
  }
  output.line(`Removed ${match.name} from ${engine.label}.`);
  const stored = readStoredModels(context);
  if (stored.some((wanted) => sameModel(match.name, wanted))) {
    const path = updateConfigFile(context, (raw) => {
      const engineSection = section(raw, 'engine');
      engineSection.models = stored.filter((wanted) => !sameModel(match.name, wanted));
    });
    output.line(`Dropped it from the models this node serves (${path}).`);
  }
  return EXIT_OK;
}

/** The models the config file lists (not the environment's or the flags'). */
function readStoredModels(context: CommandContext): string[] {
  return readConfig(context)?.settings.engine?.models ?? [];
}

/**
 * `infernet model use NAME…`: which models this node serves, written to
 * the config file. Each must be pulled already.
 */
export async function modelUseCommand(
  context: CommandContext,
  names: string[],
  flags: ModelFlags,
): Promise<number> {
  const { output } = context;
  if (names.length === 0) throw new UsageError('Name a model: `infernet model use llama3.2:1b`.');
  const config = loadConfig(context, flags);
  const engine = context.createEngine(config.engine);
  const [hardware, models] = await Promise.all([
    detectHardware(context.detectGpus),
    listEngineModels(engine, config.controlPlaneUrl),
  ]);
  const missing = names.filter((name) => !models.some((model) => sameModel(model.name, name)));
  if (missing.length > 0) {
    throw new CliError(
      `Not pulled in ${engine.label}: ${missing.join(', ')}. Pull first with \`infernet model pull ${missing[0]}\` (\`infernet model list\` shows what is there).`,
    );
  }
  const chosen = names.map((name) => models.find((model) => sameModel(model.name, name))!);
  for (const model of chosen) {
    const fit = checkFit(model, hardware.memory);
    if (fit.fits === false) {
      output.error(`Warning: ${describeShortfall(model.name, fit, hardware.memory)}`);
    }
  }
  const served = [...new Set(chosen.map((model) => model.name))];
  const path = updateConfigFile(context, (raw) => {
    section(raw, 'engine').models = served;
  });
  output.line(`This node serves ${served.join(', ')} (saved to ${path}).`);
  if (context.environment.INFERNET_MODEL) {
    output.error(
      'Warning: INFERNET_MODEL is set and overrides the config file; unset it for this to apply.',
    );
  }
  output.line('Restart a running daemon to apply it: `infernet stop && infernet start`.');
  return EXIT_OK;
}

/** Renders pull progress; `finish` ends any line in progress. */
interface PullProgressView {
  update(progress: PullProgress): void;
  finish(): void;
}

function percentOf(progress: PullProgress): number | undefined {
  if (!progress.total || progress.completed === undefined) return undefined;
  return Math.min(100, Math.floor((progress.completed / progress.total) * 100));
}

/** For pipes and logs: a line per status, and one per 10% of each layer. */
class ProgressLines implements PullProgressView {
  #lastStatus = '';
  #lastDecile = -1;

  constructor(private readonly output: Output) {}

  update(progress: PullProgress): void {
    const percent = percentOf(progress);
    const statusChanged = progress.status !== this.#lastStatus;
    this.#lastStatus = progress.status;
    if (percent === undefined) {
      if (statusChanged) this.output.line(progress.status);
      return;
    }
    const decile = Math.floor(percent / 10);
    if (statusChanged || decile !== this.#lastDecile) {
      this.output.line(`${progress.status}: ${percent}% of ${formatBytes(progress.total ?? 0)}`);
    }
    this.#lastDecile = decile;
  }

  finish(): void {}
}

/** For a terminal: one line per status, redrawn in place while a layer downloads. */
class ProgressBar implements PullProgressView {
  #lastStatus = '';
  #open = false;

  constructor(private readonly output: Output) {}

  update(progress: PullProgress): void {
    const percent = percentOf(progress);
    if (progress.status !== this.#lastStatus) this.finish();
    this.#lastStatus = progress.status;
    if (percent === undefined) {
      this.output.line(progress.status);
      return;
    }
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const sizes = `${formatBytes(progress.completed ?? 0)}/${formatBytes(progress.total ?? 0)}`;
    this.output.write(
      `\r${progress.status} ${bar} ${String(percent).padStart(3)}% ${sizes}\u001b[K`,
    );
    this.#open = true;
  }

  finish(): void {
    if (this.#open) this.output.write('\n');
    this.#open = false;
  }
}
