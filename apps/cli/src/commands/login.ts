import {
  ApiError,
  ConnectionError,
  type DeviceCode,
  type NodeClient,
  type NodeLink,
} from '@infernetprotocol/sdk/node';
import { CliError, EXIT_OK, UsageError } from '../cli-error';
import type { CliConfig, Identity } from '../config';
import { loadConfig, requireIdentity, type CommandContext, type SharedFlags } from '../context';
import { delay } from '../daemon/clock';
import { explainError } from '../explain-error';
import { registerNode } from './register';

export interface LoginFlags extends SharedFlags {
  token?: string;
  json?: boolean;
}

/** `infd_` and 43 base64url characters: 32 random bytes. */
const DEPLOY_TOKEN_PATTERN = /^infd_[A-Za-z0-9_-]{43}$/;
/** RFC 8628: on `slow_down` (here a 429), wait 5 s longer between polls from then on. */
const SLOW_DOWN_STEP_SECONDS = 5;

type Client = Pick<
  NodeClient,
  'me' | 'linkWithDeployToken' | 'requestDeviceCode' | 'redeemDeviceCode'
>;

/**
 * Links this node to an operator's account. With a deploy token (`--token`
 * or INFERNET_BEARER) it links at once; without one it starts a device
 * sign-in and waits until the operator approves it in the browser. The node
 * registers first when the control plane does not know it yet. The token is
 * used for this one request: never saved, logged or passed on.
 */
export async function loginCommand(context: CommandContext, flags: LoginFlags): Promise<number> {
  const token = flags.token ?? (context.environment.INFERNET_BEARER || undefined);
  if (token !== undefined && !DEPLOY_TOKEN_PATTERN.test(token.trim())) {
    throw new UsageError(
      'That is not a deploy token (they start with infd_ and are 48 characters long). Copy it again from the dashboard’s /deploy page.',
    );
  }
  const config = requireIdentity(loadConfig(context, flags));
  const client = context.createNodeClient(config);
  const node = await ensureRegistered(context, config, client, flags);
  const link =
    token === undefined
      ? await signInWithDevice(context, config, client, flags)
      : await linkWithToken(config, client, token.trim());
  if (flags.json) {
    context.output.json({
      linked: true,
      node_id: node.nodeId,
      provider_id: link.id,
      account_id: link.account_id,
    });
  } else {
    context.output.line(
      `Linked ${node.name} (${node.nodeId}) to account ${link.account_id} on ${config.controlPlaneUrl}.`,
    );
  }
  return EXIT_OK;
}

async function ensureRegistered(
  context: CommandContext,
  config: CliConfig & { identity: Identity },
  client: Client,
  flags: LoginFlags,
): Promise<{ name: string; nodeId: string }> {
  let row;
  try {
    ({ row } = await client.me());
  } catch (error) {
    throw explainError(error, config);
  }
  if (row) return { name: row.name ?? row.node_id, nodeId: row.node_id };
  const registered = await registerNode(context, config);
  const message = `Registered ${registered.name} (${registered.nodeId}) with ${config.controlPlaneUrl}.`;
  if (flags.json) context.output.error(message);
  else context.output.line(message);
  return registered;
}

async function linkWithToken(config: CliConfig, client: Client, token: string): Promise<NodeLink> {
  try {
    return await client.linkWithDeployToken(token);
  } catch (error) {
    throw explainLinkError(error, config);
  }
}

async function signInWithDevice(
  context: CommandContext,
  config: CliConfig,
  client: Client,
  flags: LoginFlags,
): Promise<NodeLink> {
  let code: DeviceCode;
  try {
    code = await client.requestDeviceCode();
  } catch (error) {
    throw explainError(error, config);
  }
  const prompt = [
    `Open ${code.verification_uri_complete} and approve code ${code.user_code}`,
    `(or go to ${code.verification_uri} and enter it). Waiting for approval; the code expires in ${Math.round(code.expires_in / 60)} min.`,
  ];
  // With --json, stdout carries only the result; the instructions go to the terminal.
  for (const line of prompt) {
    if (flags.json) context.output.error(line);
    else context.output.line(line);
  }
  const deadline = context.clock.now() + code.expires_in * 1000;
  let intervalSeconds = Math.max(code.interval, 1);
  for (;;) {
    await delay(context.clock, intervalSeconds * 1000);
    try {
      return await client.redeemDeviceCode(code.device_code);
    } catch (error) {
      const next = nextDevicePoll(error);
      if (next === 'slow-down') intervalSeconds += SLOW_DOWN_STEP_SECONDS;
      else if (next !== 'wait') throw explainLinkError(error, config);
    }
    if (context.clock.now() >= deadline) throw codeExpired();
  }
}

/** Whether a failed redeem means "keep polling", "poll slower", or is final. */
function nextDevicePoll(error: unknown): 'wait' | 'slow-down' | 'stop' {
  if (error instanceof ConnectionError) return 'wait';
  if (!(error instanceof ApiError)) return 'stop';
  if (error.code === 'DEVICE_CODE_PENDING') return 'wait';
  if (error.status === 429) return 'slow-down';
  if (error.status >= 500) return 'wait';
  return 'stop';
}

function codeExpired(cause?: unknown): CliError {
  return new CliError(
    'The sign-in code expired before it was approved: run `infernet login` again and approve the new code within 10 minutes.',
    { cause },
  );
}

function explainLinkError(error: unknown, config: CliConfig): CliError {
  if (!(error instanceof ApiError)) return explainError(error, config);
  const dashboard = `${config.controlPlaneUrl}/deploy`;
  switch (error.code) {
    case 'DEPLOY_TOKEN_INVALID':
      return new CliError(
        `The control plane refused the deploy token: it is unknown, expired (tokens last 24 hours) or revoked. Mint a new one on the dashboard’s /deploy page (${dashboard}) and run \`infernet login --token …\` again, or run \`infernet login\` to approve this node in the browser.`,
        { cause: error },
      );
    case 'DEVICE_CODE_DENIED':
      return new CliError(
        'The sign-in was denied in the browser, so this node is not linked. Run `infernet login` again to ask anew.',
        { cause: error },
      );
    case 'DEVICE_CODE_EXPIRED':
      return codeExpired(error);
    case 'FORBIDDEN':
      return new CliError(
        'This node is already linked to another account. Unlink it there first, or create a fresh identity with `infernet init --force`.',
        { cause: error },
      );
    default:
      return explainError(error, config);
  }
}
