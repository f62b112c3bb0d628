import { createEngine, type Engine } from '@infernet/engines';
import { NodeClient } from '@infernetprotocol/sdk/node';
import { CliError } from './cli-error';
import {
  parseSettings,
  resolveConfig,
  configFilePath,
  type CliConfig,
  type Environment,
  type Identity,
  type Settings,
} from './config';
import { readConfigFile, type ConfigFile } from './config-file';
import { systemClock, type Clock } from './daemon/clock';
import { createNodeHttpFetch } from './node-http-fetch';
import { detectLocalGpus, type GpuDetector } from './node-specs';
import type { Output } from './output';

/** What commands reach the outside world through; tests swap any of it. */
export interface CommandContext {
  environment: Environment;
  output: Output;
  clock: Clock;
  detectGpus: GpuDetector;
  createEngine(config: CliConfig['engine']): Engine;
  createNodeClient(config: CliConfig & { identity: Identity }): NodeClient;
}

export function createDefaultContext(environment: Environment, output: Output): CommandContext {
  // One keep-alive pool for the control plane and the engine: a daemon sends
  // them hundreds of small requests a second (see createNodeHttpFetch).
  const fetch = createNodeHttpFetch();
  return {
    environment,
    output,
    clock: systemClock,
    detectGpus: detectLocalGpus,
    createEngine: (engine) =>
      createEngine(
        {
          kind: engine.kind,
          ...(engine.url === undefined ? {} : { url: engine.url }),
          ...(engine.apiKey === undefined ? {} : { apiKey: engine.apiKey }),
        },
        { fetch },
      ),
    createNodeClient: (config) =>
      new NodeClient({
        baseUrl: config.controlPlaneUrl,
        privateKey: config.identity.privateKey,
        now: () => systemClock.now(),
        fetch,
      }),
  };
}

/** The flags several commands share, as commander hands them over. */
export interface SharedFlags {
  controlPlane?: string;
  name?: string;
  engine?: string;
  engineUrl?: string;
  model?: string[] | string;
  maxConcurrent?: string;
  drainTimeout?: string;
  advertise?: boolean;
  /** `--unlisted`: true only when given. */
  unlisted?: boolean;
  /** Commander's `--no-p2p`: false only when given. */
  p2p?: boolean;
  p2pPort?: string;
  logLevel?: string;
}

export function settingsFromFlags(flags: SharedFlags): Settings {
  const models = flags.model === undefined ? undefined : [flags.model].flat();
  return parseSettings(
    {
      controlPlane: { url: flags.controlPlane },
      node: {
        name: flags.name,
        // Commander sets `advertise: true` by default; only an explicit --no-advertise counts.
        advertise: flags.advertise === false ? false : undefined,
        unlisted: flags.unlisted ? true : undefined,
      },
      engine: { kind: flags.engine, url: flags.engineUrl, models },
      daemon: { maxConcurrentJobs: flags.maxConcurrent, drainTimeoutSeconds: flags.drainTimeout },
      p2p: { enabled: flags.p2p === false ? false : undefined, port: flags.p2pPort },
      logLevel: flags.logLevel,
    },
    'the command-line flags',
  );
}

/** Reads the config file, telling the user when a legacy secret was scrubbed from it. */
export function readConfig(
  context: CommandContext,
  options: { checkPermissions?: boolean } = {},
): ConfigFile | undefined {
  const path = configFilePath(context.environment);
  const file = readConfigFile(path, options);
  if (file?.legacyRemoved) {
    context.output.error(
      `Removed the legacy supabase section (service-role key) from ${path}: nodes never need a database credential.`,
    );
  }
  return file;
}

/** Reads the config file and resolves the configuration: flags > environment > file > defaults. */
export function loadConfig(context: CommandContext, flags: SharedFlags = {}): CliConfig {
  const file = readConfig(context);
  return resolveConfig({
    environment: context.environment,
    flags: settingsFromFlags(flags),
    file: file?.settings,
  });
}

export function requireIdentity(config: CliConfig): CliConfig & { identity: Identity } {
  if (!config.identity) {
    throw new CliError(
      `No identity yet: run \`infernet init\` (looked for ${config.configPath}, or set INFERNET_PRIVATE_KEY).`,
    );
  }
  return config as CliConfig & { identity: Identity };
}
