import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isHexKey, parsePrivateKey, publicKeyFromPrivateKey } from '@infernet/auth';
import { DEFAULT_P2P_PORT, ModelNameSchema, POLL_MAX_JOBS } from '@infernet/protocol';
import { UsageError } from './cli-error';

/** The environment as a plain record; `readProcessEnvironment` is the only reader of `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

export const DEFAULT_CONTROL_PLANE_URL = 'http://localhost:3000';
export const DEFAULT_MAX_CONCURRENT_JOBS = 2;
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 60;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const HttpUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://localhost:3000' })
  .transform((url) => url.replace(/\/+$/, ''));

/**
 * The one schema for settings. Flags, environment and the config file are
 * each parsed with it (every field optional), then merged by precedence:
 * flags > environment > file > defaults. The file keeps the same nesting.
 */
export const SettingsSchema = z.object({
  version: z.literal(1).optional(),
  controlPlane: z.object({ url: HttpUrlSchema.optional() }).optional(),
  node: z
    .object({
      nodeId: z.string().min(1).max(128).optional(),
      name: z.string().trim().min(1).max(128).optional(),
      privateKey: z.string().optional(),
      publicKey: z.string().optional(),
      /** Publishing an address and port; this release is outbound-only, so it only records intent. */
      advertise: z.boolean().optional(),
      /** Kept out of the public node lists (`/api/providers`); it still serves jobs. */
      unlisted: z.boolean().optional(),
    })
    .optional(),
  engine: z
    .object({
      kind: z.enum(['ollama', 'openai-compatible', 'stub']).optional(),
      url: HttpUrlSchema.optional(),
      apiKey: z.string().min(1).optional(),
      models: z.array(ModelNameSchema).max(64).optional(),
    })
    .optional(),
  daemon: z
    .object({
      maxConcurrentJobs: z.coerce.number().int().min(1).max(POLL_MAX_JOBS).optional(),
      drainTimeoutSeconds: z.coerce.number().min(0).max(3600).optional(),
    })
    .optional(),
  /** The P2P listener (TCP, dual-stack); `port` 0 picks a free one. */
  p2p: z
    .object({
      enabled: z.boolean().optional(),
      port: z.coerce.number().int().min(0).max(65535).optional(),
    })
    .optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export interface Identity {
  privateKey: string;
  publicKey: string;
  nodeId: string;
}

/** Everything a command needs, resolved once and frozen. */
export interface CliConfig {
  configPath: string;
  controlPlaneUrl: string;
  /** Absent until `infernet init` (or INFERNET_PRIVATE_KEY) provides one. */
  identity: Identity | undefined;
  nodeName: string | undefined;
  advertise: boolean;
  /** Registers with `listed: false`: hidden from the public node lists, still serving jobs. */
  unlisted: boolean;
  engine: {
    kind: 'ollama' | 'openai-compatible' | 'stub';
    url: string | undefined;
    apiKey: string | undefined;
    models: string[];
  };
  maxConcurrentJobs: number;
  drainTimeoutMs: number;
  p2p: { enabled: boolean; port: number };
  logLevel: (typeof LOG_LEVELS)[number];
}

export function readProcessEnvironment(): Environment {
  return { ...process.env };
}

/** `$XDG_CONFIG_HOME/infernet` (when absolute, as the XDG spec requires), else `~/.config/infernet`. */
export function configDirectory(environment: Environment): string {
  const xdg = environment.XDG_CONFIG_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(environment.HOME || homedir(), '.config');
  return join(base, 'infernet');
}

export function configFilePath(environment: Environment): string {
  return join(configDirectory(environment), 'config.json');
}

/** Parses one layer, naming where a bad value came from so the user knows what to fix. */
export function parseSettings(value: unknown, source: string): Settings {
  const result = SettingsSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new UsageError(`Invalid setting in ${source}: ${problems}.`);
}

/** Maps the documented environment variables onto settings. */
export function settingsFromEnvironment(environment: Environment): Settings {
  const engineKind = environment.INFERNET_ENGINE || undefined;
  const models = environment.INFERNET_MODEL?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const engineUrl =
    environment.INFERNET_ENGINE_URL ||
    // OLLAMA_HOST is Ollama's own variable and may be a bare host:port.
    (engineKind === undefined || engineKind === 'ollama'
      ? normalizeOllamaHost(environment.OLLAMA_HOST)
      : undefined);
  return parseSettings(
    {
      controlPlane: { url: environment.INFERNET_CONTROL_PLANE_URL || undefined },
      node: {
        name: environment.INFERNET_NODE_NAME || undefined,
        privateKey: environment.INFERNET_PRIVATE_KEY || undefined,
        unlisted: onOff(environment.INFERNET_UNLISTED, 'INFERNET_UNLISTED'),
      },
      engine: { kind: engineKind, url: engineUrl, models: models?.length ? models : undefined },
      daemon: { maxConcurrentJobs: environment.INFERNET_MAX_CONCURRENT_JOBS || undefined },
      p2p: {
        enabled: onOff(environment.INFERNET_P2P, 'INFERNET_P2P'),
        port: environment.INFERNET_P2P_PORT || undefined,
      },
      logLevel: environment.INFERNET_LOG_LEVEL || undefined,
    },
    'the environment (INFERNET_* variables)',
  );
}

/** "on"/"off" (also 1/0, true/false) → a boolean; unset → undefined. */
function onOff(value: string | undefined, name: string): boolean | undefined {
  if (!value) return undefined;
  if (['on', '1', 'true'].includes(value.toLowerCase())) return true;
  if (['off', '0', 'false'].includes(value.toLowerCase())) return false;
  throw new UsageError(`${name} must be on or off, not "${value}".`);
}

/** "0.0.0.0:11434" or "gpu-box" → a URL the client can dial, as the Ollama CLI does. */
export function normalizeOllamaHost(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const hasScheme = /^https?:\/\//.test(value);
  try {
    const url = new URL(hasScheme ? value : `http://${value}`);
    if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
    // A bare host means Ollama's port; a full URL without a port means the scheme's own.
    if (!hasScheme && !url.port) url.port = '11434';
    return url.href.replace(/\/+$/, '');
  } catch {
    return value;
  }
}

/** Merges layers: later ones win, field by field. Undefined never overwrites. */
export function mergeSettings(...layers: Settings[]): Settings {
  const merged: Record<string, Record<string, unknown> | unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const target = (merged[key] ?? {}) as Record<string, unknown>;
        for (const [field, fieldValue] of Object.entries(value)) {
          if (fieldValue !== undefined) target[field] = fieldValue;
        }
        merged[key] = target;
      } else {
        merged[key] = value;
      }
    }
  }
  return merged as Settings;
}

export interface ResolveConfigInput {
  environment: Environment;
  /** Settings from command-line flags. */
  flags?: Settings;
  /** Settings read from the config file, when there is one. */
  file?: Settings | undefined;
}

/**
 * Resolves the effective configuration, flags > environment > file > defaults.
 * Pure: reading the file is `config-file.ts`'s job.
 */
export function resolveConfig({
  environment,
  flags = {},
  file = {},
}: ResolveConfigInput): CliConfig {
  const fromEnvironment = settingsFromEnvironment(environment);
  const settings = mergeSettings(file, fromEnvironment, flags);
  return Object.freeze({
    configPath: configFilePath(environment),
    controlPlaneUrl: settings.controlPlane?.url ?? DEFAULT_CONTROL_PLANE_URL,
    identity: resolveIdentity([flags, fromEnvironment, file]),
    nodeName: settings.node?.name,
    advertise: settings.node?.advertise ?? false,
    unlisted: settings.node?.unlisted ?? false,
    engine: {
      kind: settings.engine?.kind ?? 'ollama',
      url: settings.engine?.url,
      apiKey: settings.engine?.apiKey,
      models: settings.engine?.models ?? [],
    },
    maxConcurrentJobs: settings.daemon?.maxConcurrentJobs ?? DEFAULT_MAX_CONCURRENT_JOBS,
    drainTimeoutMs: (settings.daemon?.drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_SECONDS) * 1000,
    p2p: {
      enabled: settings.p2p?.enabled ?? true,
      port: settings.p2p?.port ?? DEFAULT_P2P_PORT,
    },
    logLevel: settings.logLevel ?? 'info',
  });
}

/**
 * The identity comes whole from the highest layer that has a private key,
 * so a node id saved for one key is never paired with another.
 */
function resolveIdentity(layersByPrecedence: Settings[]): Identity | undefined {
  for (const layer of layersByPrecedence) {
    const raw = layer.node?.privateKey;
    if (!raw) continue;
    const privateKey = importPrivateKey(raw);
    const publicKey = publicKeyFromPrivateKey(privateKey);
    const storedNodeId = layer.node?.publicKey === publicKey ? layer.node.nodeId : undefined;
    return { privateKey, publicKey, nodeId: storedNodeId ?? nodeIdFor(publicKey) };
  }
  return undefined;
}

/** Accepts 64 hex characters or an nsec; anything else is a usage error naming the forms. */
export function importPrivateKey(value: string): string {
  try {
    const privateKey = parsePrivateKey(value.trim());
    if (!isHexKey(privateKey)) throw new TypeError('not a hex key');
    return privateKey;
  } catch (error) {
    throw new UsageError(
      'The private key must be 64 hex characters or an nsec1… key (check --nostr-privkey or INFERNET_PRIVATE_KEY).',
      { cause: error },
    );
  }
}

/** Stable and derived from the key, so re-running init with the same key keeps the same node row. */
export function nodeIdFor(publicKey: string): string {
  return `node-${publicKey.slice(0, 16)}`;
}

/** A default name that says nothing about the host (never `user@hostname`). */
export function defaultNodeName(publicKey: string): string {
  return `infernet-${publicKey.slice(0, 8)}`;
}
