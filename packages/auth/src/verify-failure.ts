import type { ErrorCode } from '@infernet/protocol';

/** Why a signed request was refused; each maps to one error code. */
export type VerifyFailureReason =
  'malformed' | 'unsupported_version' | 'stale_timestamp' | 'bad_signature' | 'replayed_nonce';

const ERROR_CODE_BY_REASON = {
  malformed: 'AUTH_MALFORMED',
  unsupported_version: 'AUTH_UNSUPPORTED_VERSION',
  stale_timestamp: 'AUTH_STALE_TIMESTAMP',
  bad_signature: 'AUTH_BAD_SIGNATURE',
  replayed_nonce: 'AUTH_REPLAYED_NONCE',
} as const satisfies Record<VerifyFailureReason, ErrorCode>;

/**
 * The public error code for a verification failure.
 *
 * @example
 * throw new InfernetError(reasonToErrorCode(result.reason), result.message);
 */
export function reasonToErrorCode(reason: VerifyFailureReason): ErrorCode {
  return ERROR_CODE_BY_REASON[reason];
}
