import { ApiError, ConnectionError, SdkError } from '@infernetprotocol/sdk';

/** What to tell a person about a failed call: the server's own message when it sent one. */
export function errorMessage(error: unknown): string {
  if (error instanceof ConnectionError) {
    return 'Could not reach the control plane. Check your connection and try again.';
  }
  if (error instanceof ApiError || SdkError.isInstance(error)) return error.message;
  return 'Something went wrong. Try again.';
}

/** A 401 from an account route: the session is gone (signed out elsewhere, or expired). */
export function isSignedOutError(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
