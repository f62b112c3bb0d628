import { isUuid, toDate, toNullableDate, toNumber, toTextParameter } from './column-values';
import type { SqlClient } from './sql-client';

/** A deploy token as its owner sees it: never the token, which is stored only as its hash. */
export interface DeployTokenRecord {
  id: string;
  accountId: string;
  label: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** How many nodes were linked with this token. */
  nodesLinked: number;
}

export interface CreateDeployTokenInput {
  accountId: string;
  label: string;
  /** SHA-256 hex of the token; the token itself is never stored. */
  tokenHash: string;
  /** The server's clock, so that tests can move it. */
  createdAt: Date;
  expiresAt: Date;
}

export interface DeployTokenQueries {
  create(input: CreateDeployTokenInput): Promise<DeployTokenRecord>;
  /** Every token of the account, revoked and expired ones too, newest first. */
  list(accountId: string): Promise<DeployTokenRecord[]>;
  /**
   * Revokes one of the account's tokens (again is fine) and returns it; null
   * when the account has no such token.
   */
  revoke(accountId: string, tokenId: string, now: Date): Promise<DeployTokenRecord | null>;
  /**
   * The token with this hash when it is neither revoked nor expired at `now`,
   * noting the use; otherwise null.
   */
  use(tokenHash: string, now: Date): Promise<{ tokenId: string; accountId: string } | null>;
  /** Notes that the token linked this node (once per node). */
  recordLink(tokenId: string, providerId: string, now: Date): Promise<void>;
}

interface DeployTokenRow {
  id: string;
  account_id: string;
  label: string;
  created_at: unknown;
  expires_at: unknown;
  revoked_at: unknown;
  last_used_at: unknown;
  nodes_linked: unknown;
}

const LINKED_COUNT = `(SELECT count(*) FROM deploy_token_nodes WHERE token_id = deploy_tokens.id)`;
const TOKEN_COLUMNS = `id, account_id, label, created_at, expires_at, revoked_at, last_used_at,
  ${LINKED_COUNT} AS nodes_linked`;

function toDeployTokenRecord(row: DeployTokenRow): DeployTokenRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    label: row.label,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    revokedAt: toNullableDate(row.revoked_at),
    lastUsedAt: toNullableDate(row.last_used_at),
    nodesLinked: toNumber(row.nodes_linked),
  };
}

/** How many tokens a listing shows; a RunPod launch mints one per pod, so they add up. */
const LIST_LIMIT = 200;

export function createDeployTokenQueries(client: SqlClient): DeployTokenQueries {
  return {
    async create(input) {
      const rows = await client.query<DeployTokenRow>(
        `INSERT INTO deploy_tokens (account_id, label, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         RETURNING ${TOKEN_COLUMNS}`,
        [
          input.accountId,
          toTextParameter(input.label),
          input.tokenHash,
          input.createdAt.toISOString(),
          input.expiresAt.toISOString(),
        ],
      );
      return toDeployTokenRecord(rows[0]!);
    },

    async list(accountId) {
      const rows = await client.query<DeployTokenRow>(
        `SELECT ${TOKEN_COLUMNS} FROM deploy_tokens
         WHERE account_id = $1
         ORDER BY created_at DESC, id
         LIMIT ${LIST_LIMIT}`,
        [accountId],
      );
      return rows.map(toDeployTokenRecord);
    },

    async revoke(accountId, tokenId, now) {
      if (!isUuid(tokenId)) return null;
      const rows = await client.query<DeployTokenRow>(
        `UPDATE deploy_tokens SET revoked_at = COALESCE(revoked_at, $3)
         WHERE id = $1 AND account_id = $2
         RETURNING ${TOKEN_COLUMNS}`,
        [tokenId, accountId, now.toISOString()],
      );
      return rows[0] ? toDeployTokenRecord(rows[0]) : null;
    },

    async use(tokenHash, now) {
      const rows = await client.query<{ id: string; account_id: string }>(
        `UPDATE deploy_tokens SET last_used_at = $2
         WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2
         RETURNING id, account_id`,
        [tokenHash, now.toISOString()],
      );
      const row = rows[0];
      return row ? { tokenId: row.id, accountId: row.account_id } : null;
    },

    async recordLink(tokenId, providerId, now) {
      await client.query(
        `INSERT INTO deploy_token_nodes (token_id, provider_id, linked_at) VALUES ($1, $2, $3)
         ON CONFLICT (token_id, provider_id) DO NOTHING`,
        [tokenId, providerId, now.toISOString()],
      );
    },
  };
}
