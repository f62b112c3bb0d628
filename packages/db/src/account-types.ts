import type { AccountDeletionResult } from './account-deletion';

/** An API key as its owner sees it: never the key, only its first characters. */
export interface ApiKeyRecord {
  id: string;
  accountId: string;
  name: string;
  /** The key's first characters, to tell keys apart. */
  prefix: string;
  createdAt: Date;
  /** Refreshed at most once a minute. */
  lastUsedAt: Date | null;
}

export interface CreateApiKeyInput {
  accountId: string;
  name: string;
  prefix: string;
  /** SHA-256 hex of the key; the key itself is never stored. */
  keyHash: string;
}

export type LinkProviderResult =
  | { ok: true; providerId: string }
  /** The key has no node row. */
  | { ok: false; reason: 'not_registered' }
  /** Another account linked this node first; it must unlink it. */
  | { ok: false; reason: 'linked_elsewhere' };

export interface AccountQueries {
  createApiKey(input: CreateApiKeyInput): Promise<ApiKeyRecord>;
  /** The account's keys that are not revoked, newest first. */
  listApiKeys(accountId: string): Promise<ApiKeyRecord[]>;
  /** Revokes one of the account's keys; false when it has no such key (or it was revoked already). */
  revokeApiKey(accountId: string, keyId: string): Promise<boolean>;
  /** Who a key that is not revoked belongs to, or null; notes the use. */
  findApiKey(keyHash: string): Promise<{ keyId: string; accountId: string } | null>;
  /**
   * The secret named `name`, shared by every server copy: `candidate` is
   * stored when there is none yet, otherwise the stored one is returned.
   */
  sharedSecret(name: string, candidate: string): Promise<string>;
  /** Links the node row of `publicKey` to the account; linking it again to the same account is fine. */
  linkProvider(publicKey: string, accountId: string): Promise<LinkProviderResult>;
  /** Deletes the account and what is only its own, in one transaction (see `deleteAccount`). */
  deleteAccount(accountId: string): Promise<AccountDeletionResult>;
}

export interface ContentRetentionQueries {
  /**
   * Deletes the prompt and output of jobs that finished more than
   * `retentionSeconds` ago (messages, result text, token events, the text of
   * `done` events) and keeps their metadata: model, token counts, timings,
   * provider. Safe from several server copies at once; returns how many jobs.
   */
  purgeContent(input: { retentionSeconds: number; limit?: number }): Promise<number>;
}
