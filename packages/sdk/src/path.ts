import { SdkError } from './errors';

/**
 * Builds a URL path, percent-encoding every interpolated value so that an id
 * can never leave its segment (openai-node `internal/utils/path.ts`).
 *
 * @example
 * path`/api/v1/node/jobs/${jobId}/events` // jobId "a/b" → "/api/v1/node/jobs/a%2Fb/events"
 */
export function path(strings: TemplateStringsArray, ...values: unknown[]): string {
  let result = strings[0] ?? '';
  values.forEach((value, index) => {
    result += encodeSegmentValue(value) + (strings[index + 1] ?? '');
  });
  return result;
}

function encodeSegmentValue(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new SdkError(`Path parameters must be strings or numbers, got ${typeof value}.`);
  }
  const text = String(value);
  // An empty, "." or ".." segment would change which route the request reaches.
  if (text === '' || text === '.' || text === '..') {
    throw new SdkError(`Path parameter ${JSON.stringify(text)} is not allowed.`);
  }
  return encodeURIComponent(text);
}
