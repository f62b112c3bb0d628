import { readFileSync } from 'node:fs';
import { CliError } from './cli-error';
import { configFilePath } from './config';
import { writeConfigFile } from './config-file';
import { readConfig, type CommandContext } from './context';

/**
 * Changes fields of the config file in place. It edits the JSON as stored,
 * so settings this command does not know about are kept as they are.
 * The file is read through `readConfig` first, which refuses one others
 * can read and validates it.
 */
export function updateConfigFile(
  context: CommandContext,
  change: (raw: Record<string, unknown>) => void,
): string {
  const path = configFilePath(context.environment);
  if (!readConfig(context)) {
    throw new CliError(
      `No config file at ${path}: run \`infernet setup\` (or \`infernet init\`) first.`,
    );
  }
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(raw);
  writeConfigFile(path, raw);
  return path;
}

/** The object at `raw[key]`, created when absent. */
export function section(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = raw[key];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  const created: Record<string, unknown> = {};
  raw[key] = created;
  return created;
}
