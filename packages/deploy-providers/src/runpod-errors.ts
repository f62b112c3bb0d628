import { InfernetError } from '@infernet/protocol';
import { RunPodProblemSchema } from './runpod-wire';

/** RunPod's words are passed on to the user, but not at any length. */
const MAX_MESSAGE_LENGTH = 300;

const DETAILS = { provider: 'runpod' } as const;

/** What RunPod said in a problem document, or nothing when the body is not one (a proxy's page). */
function problemText(body: string): string | undefined {
  try {
    const problem = RunPodProblemSchema.safeParse(JSON.parse(body));
    if (!problem.success) return undefined;
    return problem.data.detail || problem.data.title || undefined;
  } catch {
    return undefined;
  }
}

/** Never echo the key, even if the cloud quotes it back in its message. */
function redact(text: string, apiKey: string): string {
  const clean = apiKey === '' ? text : text.split(apiKey).join('[redacted]');
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH)}…` : clean;
}

/** A non-2xx answer: 401 and 403 mean the key is refused; anything else is RunPod's error. */
export function runPodRefusal(status: number, body: string, apiKey: string): InfernetError {
  const said = redact(problemText(body) ?? `HTTP ${status}`, apiKey);
  if (status === 401 || status === 403) {
    return new InfernetError(
      'DEPLOY_PROVIDER_UNAUTHORIZED',
      `RunPod refused the API key: ${said}`,
      {
        details: { ...DETAILS, status },
      },
    );
  }
  return new InfernetError('DEPLOY_PROVIDER_ERROR', `RunPod answered ${status}: ${said}`, {
    details: { ...DETAILS, status },
  });
}

/** fetch hides ECONNREFUSED and friends a few `cause`s deep; they say what went wrong. */
function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** RunPod could not be reached, or did not answer in time. */
export function runPodUnreachable(apiUrl: string, error: unknown): InfernetError {
  const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
  const reason = timedOut ? 'no answer in time' : (systemErrorCode(error) ?? 'connection failed');
  return new InfernetError(
    'DEPLOY_PROVIDER_ERROR',
    `Could not reach RunPod at ${apiUrl}: ${reason}`,
    {
      cause: error,
      details: { ...DETAILS },
    },
  );
}

/** A 2xx answer that is not what RunPod documents: better to stop than to guess. */
export function runPodMalformed(what: string): InfernetError {
  return new InfernetError(
    'DEPLOY_PROVIDER_ERROR',
    `RunPod's answer to ${what} was not in the documented shape.`,
    { details: { ...DETAILS } },
  );
}
