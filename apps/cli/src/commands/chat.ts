import type { Engine } from '@infernet/engines';
import { DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, type ChatMessage } from '@infernet/protocol';
import { CliError, EXIT_OK, UsageError } from '../cli-error';
import { loadConfig, type CommandContext, type SharedFlags } from '../context';
import { explainError } from '../explain-error';

export interface ChatFlags extends SharedFlags {
  system?: string;
  maxTokens?: string;
  temperature?: string;
}

/**
 * Local inference straight on the configured engine: no control plane, no
 * identity needed. Tokens go to stdout as they arrive.
 */
export async function chatCommand(
  context: CommandContext,
  promptWords: string[],
  flags: ChatFlags,
): Promise<number> {
  const { output } = context;
  const prompt = promptWords.join(' ').trim();
  if (!prompt) throw new UsageError('Say something: `infernet chat "why is the sky blue?"`.');
  const config = loadConfig(context, flags);
  const engine = context.createEngine(config.engine);
  const model = await chooseModel(config.engine.models, engine);
  const messages: ChatMessage[] = [
    ...(flags.system ? [{ role: 'system' as const, content: flags.system }] : []),
    { role: 'user', content: prompt },
  ];
  try {
    const stream = engine.chat({
      model,
      messages,
      maxTokens: parseNumber(flags.maxTokens, '--max-tokens', DEFAULT_MAX_TOKENS),
      temperature: parseNumber(flags.temperature, '--temperature', DEFAULT_TEMPERATURE),
    });
    for await (const chunk of stream) {
      if (!chunk.done) output.write(chunk.text);
    }
  } catch (error) {
    throw explainError(error);
  }
  output.write('\n');
  return EXIT_OK;
}

/** `--model`, else the first configured model, else the engine's first. */
async function chooseModel(configured: readonly string[], engine: Engine): Promise<string> {
  if (configured[0]) return configured[0];
  let names: string[];
  try {
    names = (await engine.listModels()).map((entry) => entry.name);
  } catch (error) {
    throw explainError(error);
  }
  if (names[0]) return names[0];
  throw new CliError(
    `The ${engine.label} engine has no models: pull one (for Ollama: \`ollama pull qwen2.5:0.5b\`) or pass --model NAME.`,
  );
}

function parseNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new UsageError(`${flag} must be a number, got "${value}".`);
  return number;
}
