/**
 * Everything in `@infernetprotocol/sdk`, plus `NodeClient`: the signed node
 * API a provider daemon uses. Kept out of the main entry because signing
 * pulls in secp256k1 code that browsers never need.
 *
 * @module
 */
export * from './index';
export {
  JOB_GONE_CODES,
  isJobCancelledError,
  isJobGoneError,
  isLeaseLostError,
  type JobGoneCode,
  type JobGoneError,
} from './errors';
export {
  NodeClient,
  type CompleteInput,
  type HeartbeatInput,
  type JobEventBatchOutcome,
  type NodeClientOptions,
  type PollOptions,
  type PollResult,
  type PostEventsInput,
  type PostEventsOptions,
  type RegisterInput,
  type ReleaseInput,
} from './node-client';
export type { DeviceCode, NodeLink } from './node-login';
