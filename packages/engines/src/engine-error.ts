import { InfernetError } from '@infernet/protocol';

export interface EngineErrorContext {
  /** The engine's label, e.g. "ollama" or "vllm". */
  engine: string;
  url: string;
  signal?: AbortSignal | undefined;
}

/**
 * Turns whatever an engine client threw into the error callers handle:
 * the caller's own abort reason when they aborted (it is not an engine
 * fault), otherwise ENGINE_ERROR naming the engine and where it was reached.
 */
export function toEngineError(error: unknown, context: EngineErrorContext): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  if (InfernetError.isInstance(error)) return error;
  const status = httpStatusOf(error);
  return new InfernetError(
    'ENGINE_ERROR',
    `${context.engine} at ${context.url} failed: ${describeFailure(error, status)}`,
    {
      cause: error,
      details: { engine: context.engine, url: context.url, ...(status ? { status } : {}) },
    },
  );
}

/** An engine error that has no underlying exception, such as a malformed stream. */
export function engineFailure(context: EngineErrorContext, reason: string): InfernetError {
  return new InfernetError(
    'ENGINE_ERROR',
    `${context.engine} at ${context.url} failed: ${reason}`,
    {
      details: { engine: context.engine, url: context.url },
    },
  );
}

/** Drops any user:password from a URL before it appears in a message or log. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** `status` on openai's APIError, `status_code` on ollama's ResponseError. */
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { status?: unknown; status_code?: unknown };
  const status = record.status ?? record.status_code;
  return typeof status === 'number' ? status : undefined;
}

function describeFailure(error: unknown, status: number | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const systemCode = systemErrorCode(error);
  if (systemCode) return `cannot connect (${systemCode})`;
  if (status !== undefined && !message.startsWith(String(status))) {
    return `${message} (HTTP ${status})`;
  }
  return message;
}

/** fetch hides ECONNREFUSED and friends a few `cause`s deep; they are what an operator needs to see. */
function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
