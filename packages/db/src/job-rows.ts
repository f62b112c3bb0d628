import type { JobStatus } from '@infernet/protocol';
import { toDate, toNullableDate, toNumber } from './column-values';
import type { JobPayload, JobRecord, JobWriteFailure } from './types';

/** The jobs row as drivers return it, and its mapping to `JobRecord`. */
export interface JobRow {
  id: string;
  type: JobPayload['type'];
  status: JobStatus;
  model: string;
  title: string;
  input: JobPayload['input'];
  provider_id: string | null;
  stream_token_hash: string;
  fencing_token: unknown;
  attempts: unknown;
  lease_expires_at: unknown;
  result: JobRecord['result'];
  error: string | null;
  delivered_tokens: unknown;
  first_token_at: unknown;
  created_at: unknown;
  assigned_at: unknown;
  completed_at: unknown;
  owner_account_id: string | null;
  content_deleted_at: unknown;
  queue_deadline_at: unknown;
}

export const JOB_COLUMN_NAMES = [
  'id',
  'type',
  'status',
  'model',
  'title',
  'input',
  'provider_id',
  'stream_token_hash',
  'fencing_token',
  'attempts',
  'lease_expires_at',
  'result',
  'error',
  'delivered_tokens',
  'first_token_at',
  'created_at',
  'assigned_at',
  'completed_at',
  'owner_account_id',
  'content_deleted_at',
  'queue_deadline_at',
] as const;
export const JOB_COLUMNS = JOB_COLUMN_NAMES.join(', ');

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    // The type column decides the input's shape: both are written together, by this package only.
    ...({ type: row.type, input: row.input } as JobPayload),
    status: row.status,
    model: row.model,
    title: row.title,
    providerId: row.provider_id,
    streamTokenHash: row.stream_token_hash,
    fencingToken: toNumber(row.fencing_token),
    attempts: toNumber(row.attempts),
    leaseExpiresAt: toNullableDate(row.lease_expires_at),
    result: row.result,
    error: row.error,
    deliveredTokens: toNumber(row.delivered_tokens),
    firstTokenAt: toNullableDate(row.first_token_at),
    createdAt: toDate(row.created_at),
    assignedAt: toNullableDate(row.assigned_at),
    completedAt: toNullableDate(row.completed_at),
    ownerAccountId: row.owner_account_id,
    contentDeletedAt: toNullableDate(row.content_deleted_at),
    queueDeadlineAt: toNullableDate(row.queue_deadline_at),
  };
}

/**
 * Locks a job for a node's write and judges it with the one ownership rule,
 * `infernet_job_write_failure` (migration 0002), shared by every node write.
 * $1 job, $2 provider, $3 fencing token (or NULL). `FOR NO KEY UPDATE` because
 * no write changes the key; it does not block the key-share locks that
 * foreign keys take, so claims never skip a job because of them.
 */
export const LOCK_FOR_NODE_WRITE_SQL = `
  SELECT ${JOB_COLUMNS},
    infernet_job_write_failure(status, provider_id, fencing_token, $2::uuid, $3::bigint) AS failure
  FROM jobs WHERE id = $1 FOR NO KEY UPDATE`;

export type LockedJobRow = JobRow & { failure: JobWriteFailure | null };
