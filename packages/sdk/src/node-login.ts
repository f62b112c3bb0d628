import type { DeviceCodeResponseSchema, LinkNodeResponseSchema } from '@infernet/protocol';
import type { Infer } from './schema';

/**
 * Answers of the routes a node uses to join an operator's account
 * (`docs/deploy-and-dashboard-api.md`): linking with a deploy token, and
 * device sign-in. The schemas are the protocol's; these are their `data`.
 */

/** A node linked to an account: the node's row id and the account's id. */
export type NodeLink = Infer<typeof LinkNodeResponseSchema>['data'];

/**
 * What a node shows its operator so they can approve it in the browser:
 * `user_code` to check on the page at `verification_uri_complete`; the node
 * redeems the secret `device_code` every `interval` seconds until approved.
 */
export type DeviceCode = Infer<typeof DeviceCodeResponseSchema>['data'];
