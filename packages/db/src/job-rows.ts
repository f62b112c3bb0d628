import type { ChatInputSpec, JobStatus } from '@infernet/protocol';
import { toDate, toNullableDate, toNumber } from './column-values';
import type { JobRecord, JobWriteFailure } from './types';

/** The jobs row as drivers return it, and its mapping to `JobRecord`. */
export interface JobRow {
  id: string;
  type: 'chat';
  status: JobStatus;
  model: string;
  title: string;
  input: ChatInputSpec;
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
] as const;
export const JOB_COLUMNS = JOB_COLUMN_NAMES.join(', ');

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    model: row.model,
    title: row.title,
    input: row.input,
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
  };
}

/**
 * The one ownership rule for a node writing to a job (events, complete,
 * release), in order: a cancelled job tells the node to stop; a job taken back
 * (queued again, or re-claimed under a newer fencing token) tells a node that
 * once held it that its lease is lost; a node that never held the current
 * claim is not the owner.
 */
export function writeFailure(
  row: { status: JobStatus; provider_id: string | null; fencing_token: unknown },
  providerId: string,
  fencingToken: number | undefined,
): JobWriteFailure | null {
  const current = toNumber(row.fencing_token);
  if (row.status === 'cancelled') return 'cancelled';
  if (row.status === 'queued') return fencingToken === undefined ? 'not_active' : 'lease_lost';
  if (row.provider_id !== providerId) {
    return fencingToken !== undefined && fencingToken < current ? 'lease_lost' : 'not_owner';
  }
  if (fencingToken !== undefined && fencingToken !== current) return 'lease_lost';
  return null;
}
