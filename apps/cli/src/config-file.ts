import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from './cli-error';
import { parseSettings, type Settings } from './config';

export interface ConfigFile {
  settings: Settings;
  /** True when a legacy `supabase` section (service-role key) was found and scrubbed from disk. */
  legacyRemoved: boolean;
}

/**
 * Reads the config file, or returns undefined when there is none. It holds
 * the node's private key, so a file other users can read is refused
 * (unless `checkPermissions` is off, for `init --force` replacing it).
 */
export function readConfigFile(
  path: string,
  { checkPermissions = true }: { checkPermissions?: boolean } = {},
): ConfigFile | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`Cannot read ${path}: ${(error as Error).message}. Check its owner.`, {
      cause: error,
    });
  }
  // Mode bits mean nothing on Windows; there the file lives in the user's profile.
  if (checkPermissions && process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CliError(
      `${path} holds this node's private key but other users can read it: run \`infernet init\` to fix its permissions (or \`chmod 600 ${path}\`).`,
    );
  }
  const raw = parseFile(path, readFileSync(path, 'utf8'));
  const legacyRemoved = 'supabase' in raw;
  if (legacyRemoved) {
    // Nodes never need a database credential; scrub it from disk, not just from memory.
    delete raw.supabase;
    writeConfigFile(path, raw);
  }
  try {
    return { settings: parseSettings(upgradeEarlierShape(raw), path), legacyRemoved };
  } catch (error) {
    throw new CliError(
      `${(error as Error).message} Fix it, or move the file away and run \`infernet init\`.`,
      { cause: error },
    );
  }
}

/**
 * Makes the config file readable by its owner only, and its directory
 * 0700. Returns the file's former permission bits when they let others in,
 * undefined when there was nothing to fix (or no file).
 */
export function fixConfigPermissions(path: string): number | undefined {
  if (process.platform === 'win32') return undefined;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  chmodSync(path, 0o600);
  chmodSync(dirname(path), 0o700);
  return mode;
}

function parseFile(path: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${path} is not valid JSON. Fix it, or move it away and run \`infernet init\`.`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${path} must hold a JSON object. Move it away and run \`infernet init\`.`);
  }
  return value as Record<string, unknown>;
}

/** Accepts the engine section the earlier JavaScript CLI wrote (`backend`, `model`, `ollamaHost`). */
function upgradeEarlierShape(raw: Record<string, unknown>): Record<string, unknown> {
  const engine = raw.engine;
  if (typeof engine !== 'object' || engine === null) return raw;
  const { backend, model, ollamaHost, ...rest } = engine as Record<string, unknown>;
  const upgraded: Record<string, unknown> = { ...rest };
  if (upgraded.kind === undefined && (backend === 'ollama' || backend === 'stub')) {
    upgraded.kind = backend;
  }
  if (upgraded.url === undefined && typeof ollamaHost === 'string') upgraded.url = ollamaHost;
  if (upgraded.models === undefined && typeof model === 'string') upgraded.models = [model];
  return { ...raw, engine: upgraded };
}

/**
 * Writes atomically: a new 0600 file beside the target, synced, then
 * renamed over it, so a crash never leaves a half-written key file and the
 * key is never readable by others, not even for a moment.
 */
export function writeConfigFile(path: string, value: unknown): void {
  const directory = dirname(path);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  chmodSync(directory, 0o700);
  const temporary = join(directory, `.config-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const descriptor = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(descriptor, `${JSON.stringify(value, null, 2)}\n`);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CliError(`Cannot write ${path}: ${(error as Error).message}.`, { cause: error });
  }
}
