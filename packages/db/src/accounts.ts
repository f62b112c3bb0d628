import { deleteAccount } from './account-deletion';
import type { AccountQueries, ApiKeyRecord, ContentRetentionQueries } from './account-types';
import { isUuid, toDate, toNullableDate, toNumber, toTextParameter } from './column-values';
import { purgeContentSql } from './content-purge';
import type { SqlClient } from './sql-client';

interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  prefix: string;
  created_at: unknown;
  last_used_at: unknown;
}

const API_KEY_COLUMNS = 'id, account_id, name, prefix, created_at, last_used_at';

function toApiKeyRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: toDate(row.created_at),
    lastUsedAt: toNullableDate(row.last_used_at),
  };
}

/*
 * Every consumer request with a key runs this: one round trip that reads the
 * key and, at most once a minute, records its use, so checking a key is
 * nearly always a read.
 */
const FIND_API_KEY_SQL = `
  WITH found AS (
    SELECT id, account_id, last_used_at FROM api_keys
    WHERE key_hash = $1 AND revoked_at IS NULL
  ), touched AS (
    UPDATE api_keys SET last_used_at = now()
    FROM found
    WHERE api_keys.id = found.id
      AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute')
  )
  SELECT id, account_id FROM found`;

/*
 * The statement's snapshot predates a concurrent insert it waited for, so
 * when another copy stored the secret first, neither branch may see it; the
 * caller then asks again.
 */
const SHARED_SECRET_SQL = `
  WITH inserted AS (
    INSERT INTO server_secrets (name, value) VALUES ($1, $2)
    ON CONFLICT (name) DO NOTHING
    RETURNING value
  )
  SELECT value FROM inserted
  UNION ALL
  SELECT value FROM server_secrets WHERE name = $1
  LIMIT 1`;

const LINK_PROVIDER_SQL = `
  WITH provider AS (
    SELECT id, owner_account_id FROM providers WHERE public_key = $1 FOR NO KEY UPDATE
  ), linked AS (
    UPDATE providers SET owner_account_id = $2, updated_at = now()
    FROM provider
    WHERE providers.id = provider.id
      AND (provider.owner_account_id IS NULL OR provider.owner_account_id = $2)
    RETURNING providers.id
  )
  SELECT provider.id, provider.owner_account_id, linked.id IS NOT NULL AS linked
  FROM provider LEFT JOIN linked ON linked.id = provider.id`;

export function createAccountQueries(client: SqlClient): AccountQueries {
  return {
    async createApiKey(input) {
      const rows = await client.query<ApiKeyRow>(
        `INSERT INTO api_keys (account_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4)
         RETURNING ${API_KEY_COLUMNS}`,
        [input.accountId, toTextParameter(input.name), input.prefix, input.keyHash],
      );
      return toApiKeyRecord(rows[0]!);
    },

    async listApiKeys(accountId) {
      const rows = await client.query<ApiKeyRow>(
        `SELECT ${API_KEY_COLUMNS} FROM api_keys
         WHERE account_id = $1 AND revoked_at IS NULL
         ORDER BY created_at DESC, id`,
        [accountId],
      );
      return rows.map(toApiKeyRecord);
    },

    async revokeApiKey(accountId, keyId) {
      if (!isUuid(keyId)) return false;
      const rows = await client.query(
        `UPDATE api_keys SET revoked_at = now()
         WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL
         RETURNING id`,
        [keyId, accountId],
      );
      return rows.length > 0;
    },

    async findApiKey(keyHash) {
      const rows = await client.query<{ id: string; account_id: string }>(FIND_API_KEY_SQL, [
        keyHash,
      ]);
      const row = rows[0];
      return row ? { keyId: row.id, accountId: row.account_id } : null;
    },

    async sharedSecret(name, candidate) {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const rows = await client.query<{ value: string }>(SHARED_SECRET_SQL, [name, candidate]);
        if (rows[0]) return rows[0].value;
      }
      throw new Error(`the shared secret "${name}" could not be read`);
    },

    async linkProvider(publicKey, accountId) {
      const rows = await client.query<{
        id: string;
        owner_account_id: string | null;
        linked: boolean;
      }>(LINK_PROVIDER_SQL, [publicKey, accountId]);
      const row = rows[0];
      if (!row) return { ok: false, reason: 'not_registered' };
      return row.linked
        ? { ok: true, providerId: row.id }
        : { ok: false, reason: 'linked_elsewhere' };
    },

    deleteAccount: (accountId) => deleteAccount(client, accountId),
  };
}

/*
 * Retention: a batch of jobs that finished long enough ago. SKIP LOCKED lets
 * several server copies sweep at once, each taking different jobs.
 */
const PURGE_CONTENT_SQL = purgeContentSql(`
    SELECT id FROM jobs
    WHERE content_deleted_at IS NULL AND completed_at IS NOT NULL
      AND completed_at < now() - make_interval(secs => $1)
    ORDER BY completed_at
    LIMIT $2
    FOR NO KEY UPDATE SKIP LOCKED`);

const DEFAULT_PURGE_BATCH = 500;

export function createContentRetentionQueries(client: SqlClient): ContentRetentionQueries {
  return {
    async purgeContent({ retentionSeconds, limit = DEFAULT_PURGE_BATCH }) {
      const rows = await client.query<{ purged: unknown }>(PURGE_CONTENT_SQL, [
        retentionSeconds,
        limit,
      ]);
      return toNumber(rows[0]?.purged ?? 0);
    },
  };
}
