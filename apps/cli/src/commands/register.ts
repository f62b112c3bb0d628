import { EXIT_OK } from '../cli-error';
import { defaultNodeName, type CliConfig, type Identity } from '../config';
import { loadConfig, requireIdentity, type CommandContext, type SharedFlags } from '../context';
import { describeError } from '../daemon/connectivity';
import { explainError } from '../explain-error';
import { detectHardware } from '../hardware';
import { fitsBudget } from '../model-fit';
import { buildNodeSpecs, listServedModels } from '../node-specs';

/**
 * Announces this node with a signed register. It sends the node id, a name
 * and coarse specs only; never an address or port (outbound-only), and
 * never hostname, platform, CPU or RAM.
 */
export async function registerCommand(
  context: CommandContext,
  flags: SharedFlags,
): Promise<number> {
  const { output } = context;
  const config = requireIdentity(loadConfig(context, flags));
  const registration = await registerNode(context, config);
  output.line(
    `Registered ${registration.name} (${registration.nodeId}) with ${config.controlPlaneUrl}.`,
  );
  output.line(
    `Models: ${registration.models.length > 0 ? registration.models.join(', ') : 'none yet'}`,
  );
  output.line(`GPUs:   ${registration.gpus || 'none detected (CPU node)'}`);
  output.line('');
  output.line('Next: run `infernet start --foreground` to take jobs.');
  return EXIT_OK;
}

/**
 * Registers this node (an upsert, so repeating it is harmless) and returns
 * what it announced. Warnings about the engine and models go to stderr.
 */
export async function registerNode(
  context: CommandContext,
  config: CliConfig & { identity: Identity },
): Promise<{ name: string; nodeId: string; models: string[]; gpus: string }> {
  const { output } = context;
  const engine = context.createEngine(config.engine);
  const { capabilities, memory } = await detectHardware(context.detectGpus);
  const models = await listServedModels(engine, config.engine.models, undefined, {
    fits: fitsBudget(memory),
  });
  if (models.engineError) {
    output.error(
      `Warning: cannot list models from the ${engine.label} engine (${describeError(models.engineError).message}); registering with none. Start the engine (for Ollama: \`ollama serve\`) and the daemon will pick them up.`,
    );
  }
  if (models.missing.length > 0 && !models.engineError) {
    output.error(
      `Warning: not available in the engine: ${models.missing.join(', ')}. Pull them first (for Ollama: \`ollama pull ${models.missing[0]}\`).`,
    );
  }
  if (models.tooLarge?.length) {
    output.error(
      `Warning: not advertised, too large for ${memory.description}: ${models.tooLarge.join(', ')}. See \`infernet model list\`.`,
    );
  }
  const name = config.nodeName ?? defaultNodeName(config.identity.publicKey);
  const client = context.createNodeClient(config);
  let registration: { id: string; node_id: string };
  try {
    registration = await client.register({
      node_id: config.identity.nodeId,
      name,
      specs: buildNodeSpecs(capabilities, models.served),
      // Omitted, the control plane lists the node (and lists it again if it was hidden).
      ...(config.unlisted ? { listed: false } : {}),
    });
  } catch (error) {
    throw explainError(error, config);
  }
  const gpus = capabilities.gpus.map((gpu) => `${gpu.model} (${gpu.vram_tier})`).join(', ');
  return { name, nodeId: registration.node_id, models: models.served, gpus };
}
