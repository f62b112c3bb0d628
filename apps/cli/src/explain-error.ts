import { InfernetError } from '@infernet/protocol';
import { ApiError, ConnectionError, TimeoutError } from '@infernetprotocol/sdk';
import { CliError } from './cli-error';

/**
 * Turns any failure into a message that says what happened and what to do
 * next. Every error the user sees passes through here.
 */
export function explainError(error: unknown, context: { controlPlaneUrl?: string } = {}): CliError {
  if (error instanceof CliError) return error;
  const controlPlane = context.controlPlaneUrl ?? 'the configured URL';
  if (error instanceof TimeoutError) {
    return new CliError(
      `The control plane at ${controlPlane} did not answer in time: check it is healthy (\`curl ${controlPlane}/healthz\`) and retry.`,
      { cause: error },
    );
  }
  if (error instanceof ConnectionError) {
    return new CliError(
      `Cannot reach the control plane at ${controlPlane}: is it running? Start one with \`npm start\`, or point at another with --control-plane URL.`,
      { cause: error },
    );
  }
  if (error instanceof ApiError) return explainApiError(error, controlPlane);
  if (InfernetError.isInstance(error) && error.code === 'ENGINE_ERROR') {
    return new CliError(
      `${error.message}. Is the engine running? For Ollama run \`ollama serve\`; or pick another with --engine and --engine-url.`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`Unexpected error: ${message}`, { cause: error });
}

function explainApiError(error: ApiError, controlPlane: string): CliError {
  const reference = error.requestId ? ` (request ${error.requestId})` : '';
  const next = nextStepFor(error);
  return new CliError(
    `The control plane at ${controlPlane} refused the request: ${error.message} [${error.code}]${reference}. ${next}`,
    { cause: error },
  );
}

function nextStepFor(error: ApiError): string {
  switch (error.code) {
    case 'AUTH_STALE_TIMESTAMP':
      return "This machine's clock is off: sync it (enable NTP) and retry.";
    case 'AUTH_MISSING':
    case 'AUTH_MALFORMED':
    case 'AUTH_UNSUPPORTED_VERSION':
    case 'AUTH_BAD_SIGNATURE':
    case 'AUTH_REPLAYED_NONCE':
      return 'Check that the control plane runs a compatible version, then retry.';
    case 'NODE_NOT_REGISTERED':
      return 'Run `infernet register` first.';
    case 'FORBIDDEN':
      return 'Another key owns this node id; create a fresh identity with `infernet init --force`.';
    case 'RATE_LIMITED':
    case 'DATABASE_UNAVAILABLE':
    case 'INTERNAL':
      return 'Retry in a moment.';
    default:
      return error.status >= 500
        ? 'Retry in a moment; if it persists, check the control plane logs.'
        : 'Check the command and its flags.';
  }
}
