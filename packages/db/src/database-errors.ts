import { InfernetError } from '@infernet/protocol';

/** Node socket errors that mean the server could not be reached or went away. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 is connection exceptions; 57P01–57P03 are shutdowns and "cannot connect now".
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code)) return true;
    if (NETWORK_ERROR_CODES.has(code)) return true;
  }
  // node-postgres reports a socket closed under a query with this message and no code.
  return /Connection terminated|connection timeout/i.test(error.message);
}

/**
 * Lets callers tell "the database is down, retry later" (503) from a bug
 * (500) without knowing driver error shapes. Other errors pass through.
 */
export function asDatabaseError(error: unknown): unknown {
  if (InfernetError.isInstance(error) || !isUnavailable(error)) return error;
  return new InfernetError('DATABASE_UNAVAILABLE', 'the database is unavailable', {
    cause: error,
  });
}
