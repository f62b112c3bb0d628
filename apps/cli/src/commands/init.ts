import { encodeNpub, generateKeyPair, publicKeyFromPrivateKey } from '@infernet/auth';
import { DEFAULT_OLLAMA_HOST } from '@infernet/engines';
import { CliError, EXIT_OK } from '../cli-error';
import {
  configFilePath,
  defaultNodeName,
  importPrivateKey,
  nodeIdFor,
  resolveConfig,
  settingsFromEnvironment,
} from '../config';
import { fixConfigPermissions, writeConfigFile } from '../config-file';
import { readConfig, settingsFromFlags, type CommandContext, type SharedFlags } from '../context';

export interface InitFlags extends SharedFlags {
  nostrPrivkey?: string;
  force?: boolean;
}

/**
 * Creates (or imports) the node identity and writes the config file. An
 * existing identity is never replaced silently: its key is the node's
 * account, and losing it orphans the node row.
 */
export async function initCommand(context: CommandContext, flags: InitFlags): Promise<number> {
  const { environment, output } = context;
  const path = configFilePath(environment);
  const formerMode = fixConfigPermissions(path);
  if (formerMode !== undefined) {
    output.line(
      `Fixed the permissions of ${path}: it was ${formerMode.toString(8).padStart(4, '0')} (readable by other users), now 0600. If they are not trusted, replace the key with \`infernet init --force\`.`,
    );
  }
  const existing = readConfig(context);
  const existingKey = existing?.settings.node?.privateKey;
  if (existingKey && !flags.force) {
    const npub = encodeNpub(publicKeyFromPrivateKey(importPrivateKey(existingKey)));
    // Run to fix the permissions (as the daemon's refusal suggests): that is done, the identity stays.
    if (formerMode !== undefined) {
      output.line(`Kept this node's identity ${npub}.`);
      return EXIT_OK;
    }
    throw new CliError(
      `This machine already has a node identity (${npub}) in ${path}. Keep it and run \`infernet register\`, or pass --force to replace it (the old key cannot be recovered).`,
    );
  }

  const suppliedKey = flags.nostrPrivkey ?? settingsFromEnvironment(environment).node?.privateKey;
  const privateKey = suppliedKey ? importPrivateKey(suppliedKey) : generateKeyPair().privateKey;
  const publicKey = publicKeyFromPrivateKey(privateKey);
  const flagSettings = settingsFromFlags(flags);
  const config = resolveConfig({ environment, flags: flagSettings, file: existing?.settings });
  const name = config.nodeName ?? defaultNodeName(publicKey);

  writeConfigFile(path, {
    version: 1,
    controlPlane: { url: config.controlPlaneUrl },
    node: {
      nodeId: nodeIdFor(publicKey),
      name,
      publicKey,
      privateKey,
      advertise: config.advertise,
      ...(config.unlisted ? { unlisted: true } : {}),
    },
    engine: {
      kind: config.engine.kind,
      ...(config.engine.url === undefined ? {} : { url: config.engine.url }),
      ...(config.engine.apiKey === undefined ? {} : { apiKey: config.engine.apiKey }),
      models: config.engine.models,
    },
    daemon: { maxConcurrentJobs: config.maxConcurrentJobs },
  });

  const engineUrl =
    config.engine.kind === 'stub'
      ? ' (demo engine: canned answers)'
      : ` at ${config.engine.url ?? (config.engine.kind === 'ollama' ? DEFAULT_OLLAMA_HOST : '(no URL set: pass --engine-url)')}`;
  output.line(`${suppliedKey ? 'Imported' : 'Created'} node identity ${encodeNpub(publicKey)}`);
  output.line(`Saved to ${path} (readable only by you).`);
  output.line(`Node name:     ${name}`);
  output.line(`Control plane: ${config.controlPlaneUrl}`);
  output.line(`Engine:        ${config.engine.kind}${engineUrl}`);
  output.line('');
  output.line('Next: run `infernet register`, then `infernet start` to take jobs.');
  return EXIT_OK;
}
