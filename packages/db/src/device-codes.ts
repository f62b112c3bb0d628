import { toDate, toNullableDate } from './column-values';
import type { SqlClient } from './sql-client';

export type DeviceCodeStatus = 'pending' | 'approved' | 'denied';

/** A device sign-in request with the node that made it. */
export interface DeviceCodeRecord {
  id: string;
  /** 8 characters, without the dash shown to people. */
  userCode: string;
  providerId: string;
  nodeId: string;
  nodeName: string | null;
  publicKey: string;
  status: DeviceCodeStatus;
  /** Who approved or denied it; null while pending. */
  accountId: string | null;
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
}

export interface CreateDeviceCodeInput {
  providerId: string;
  /** SHA-256 hex of the device code; the code itself is never stored. */
  deviceCodeHash: string;
  userCode: string;
  /** The server's clock, so that tests can move it. */
  createdAt: Date;
  expiresAt: Date;
}

export interface DeviceCodeQueries {
  /**
   * Stores a pending request (and drops the node's expired ones); null when
   * the user code is taken already, so the caller draws another.
   */
  create(input: CreateDeviceCodeInput): Promise<DeviceCodeRecord | null>;
  findByUserCode(userCode: string): Promise<DeviceCodeRecord | null>;
  findByDeviceCode(deviceCodeHash: string): Promise<DeviceCodeRecord | null>;
  /**
   * Approves or denies a request that is pending and not expired at `now`;
   * null when it is not (any more).
   */
  decide(input: {
    userCode: string;
    accountId: string;
    approve: boolean;
    now: Date;
  }): Promise<DeviceCodeRecord | null>;
}

interface DeviceCodeRow {
  id: string;
  user_code: string;
  provider_id: string;
  node_id: string;
  name: string | null;
  public_key: string;
  status: DeviceCodeStatus;
  account_id: string | null;
  created_at: unknown;
  expires_at: unknown;
  decided_at: unknown;
}

const CODE_COLUMNS = `code.id, code.user_code, code.provider_id, code.status, code.account_id,
  code.created_at, code.expires_at, code.decided_at`;
const NODE_COLUMNS = 'providers.node_id, providers.name, providers.public_key';

function toDeviceCodeRecord(row: DeviceCodeRow): DeviceCodeRecord {
  return {
    id: row.id,
    userCode: row.user_code,
    providerId: row.provider_id,
    nodeId: row.node_id,
    nodeName: row.name,
    publicKey: row.public_key,
    status: row.status,
    accountId: row.account_id,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    decidedAt: toNullableDate(row.decided_at),
  };
}

function findWhere(client: SqlClient, condition: string, value: string) {
  return client
    .query<DeviceCodeRow>(
      `SELECT ${CODE_COLUMNS}, ${NODE_COLUMNS}
       FROM device_codes code JOIN providers ON providers.id = code.provider_id
       WHERE ${condition}`,
      [value],
    )
    .then((rows) => (rows[0] ? toDeviceCodeRecord(rows[0]) : null));
}

const CREATE_SQL = `
  WITH expired AS (
    DELETE FROM device_codes WHERE provider_id = $1 AND expires_at <= $4
  ), code AS (
    INSERT INTO device_codes (provider_id, device_code_hash, user_code, created_at, expires_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT DO NOTHING
    RETURNING *
  )
  SELECT ${CODE_COLUMNS}, ${NODE_COLUMNS}
  FROM code JOIN providers ON providers.id = code.provider_id`;

const DECIDE_SQL = `
  WITH code AS (
    UPDATE device_codes SET status = $3, account_id = $2, decided_at = $4
    WHERE user_code = $1 AND status = 'pending' AND expires_at > $4
    RETURNING *
  )
  SELECT ${CODE_COLUMNS}, ${NODE_COLUMNS}
  FROM code JOIN providers ON providers.id = code.provider_id`;

export function createDeviceCodeQueries(client: SqlClient): DeviceCodeQueries {
  return {
    async create(input) {
      const rows = await client.query<DeviceCodeRow>(CREATE_SQL, [
        input.providerId,
        input.deviceCodeHash,
        input.userCode,
        input.createdAt.toISOString(),
        input.expiresAt.toISOString(),
      ]);
      return rows[0] ? toDeviceCodeRecord(rows[0]) : null;
    },

    findByUserCode: (userCode) => findWhere(client, 'code.user_code = $1', userCode),

    findByDeviceCode: (deviceCodeHash) =>
      findWhere(client, 'code.device_code_hash = $1', deviceCodeHash),

    async decide({ userCode, accountId, approve, now }) {
      const rows = await client.query<DeviceCodeRow>(DECIDE_SQL, [
        userCode,
        accountId,
        approve ? 'approved' : 'denied',
        now.toISOString(),
      ]);
      return rows[0] ? toDeviceCodeRecord(rows[0]) : null;
    },
  };
}
