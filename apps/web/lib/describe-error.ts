import { ApiError, ConnectionError, InvalidResponseError } from '@infernetprotocol/sdk';

export interface ErrorDescription {
  title: string;
  /** What to do next. */
  advice: string;
}

/** Turns an SDK error from a page's read into words a person can act on. */
export function describeLoadError(error: unknown, what: string): ErrorDescription {
  if (error instanceof ConnectionError) {
    return {
      title: `Cannot reach the control plane to load ${what}`,
      advice: 'Check your connection; the page retries on its own every few seconds.',
    };
  }
  if (error instanceof InvalidResponseError) {
    return {
      title: `The control plane answered ${what} in a form this page does not understand`,
      advice:
        'The dashboard and the server may be different versions: rebuild with `npm run build:web`.',
    };
  }
  if (error instanceof ApiError) {
    if (error.code === 'RATE_LIMITED') {
      return {
        title: 'Too many requests for now',
        advice: 'The page slows down and tries again shortly.',
      };
    }
    return {
      title: `Could not load ${what}: ${error.message}`,
      advice: error.retryable
        ? 'This is usually temporary; the page tries again on its own.'
        : `Reference ${error.requestId ?? 'unknown'} if you report it.`,
    };
  }
  return {
    title: `Could not load ${what}`,
    advice: 'Reload the page; if it keeps happening, check the control plane’s logs.',
  };
}
