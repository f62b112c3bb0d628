import { JOB_COLUMN_NAMES, toJobRecord, type JobRow } from './job-rows';
import { createLeaseToken } from './lease-tokens';
import type { SqlClient } from './sql-client';
import { StatementCoalescer } from './statement-coalescer';
import type { ClaimInput, JobRecord } from './types';

/*
 * Claims for several providers serving the same models in one statement
 * (StatementCoalescer merges those that arrive while another claim runs):
 * the oldest claimable jobs are locked with `FOR NO KEY UPDATE SKIP LOCKED`,
 * so a job is never handed to two claims, here or in a concurrent statement,
 * and dealt out round-robin over the requests' slots (`limit` each), so the
 * first request gets the oldest job and none takes everything. Each claimed
 * row is assigned to its provider with a fresh lease, a raised fencing token
 * and the hash of a new lease token (one per slot, by rank).
 *
 * The candidates are a CTE (always materialised when it locks rows) rather
 * than `id IN (subquery)`, which the planner may re-evaluate and so lock
 * more rows than there are slots.
 *
 * Which jobs are candidates depends on how many models the claimers serve
 * (they all serve the same ones: claims are grouped by model set):
 * - One model (`model = $4[1]`): an index scan in queue order (the
 *   claimable index (model, created_at, id), or the queue-order index when
 *   that model fills most of the queue) locks rows as it goes and stops once
 *   the slots are filled, however long the queue.
 * - Several models: that index yields no order across models, so every
 *   queued job of those models is read and sorted, and rows are locked in
 *   that order until the slots are filled. Reading each model's front on
 *   its own would lock rows the claim then leaves, and a concurrent claim
 *   would skip those jobs and park while they wait.
 *
 * Per request (arrays): $1 provider, $2 limit, $3 lease seconds; then $4 the
 * models, $5 the number of slots, $6 lease token hashes (one per slot).
 *
 * `claimSql` builds that statement for the claimers' model condition.
 */
function claimSql(modelCondition: string): string {
  return `
  WITH request AS (
    SELECT * FROM unnest($1::uuid[], $2::integer[], $3::integer[])
      WITH ORDINALITY AS request(provider_id, claim_limit, lease_seconds, position)
  ), slot AS (
    SELECT request.position, request.provider_id, request.lease_seconds,
      row_number() OVER (ORDER BY slot_number, request.position) AS rank
    FROM request, generate_series(1, request.claim_limit) AS slot_number
  ), candidates AS (
    SELECT id, created_at FROM jobs
    WHERE status = 'queued' AND ${modelCondition}
      AND (queue_deadline_at IS NULL OR queue_deadline_at > now())
    ORDER BY created_at, id
    LIMIT $5
    FOR NO KEY UPDATE SKIP LOCKED
  ), numbered AS (
    SELECT id, row_number() OVER (ORDER BY created_at, id) AS rank FROM candidates
  ), assigned AS (
    SELECT numbered.id, numbered.rank, slot.position, slot.provider_id, slot.lease_seconds
    FROM numbered JOIN slot ON slot.rank = numbered.rank
  )
  UPDATE jobs SET
    status = 'assigned',
    provider_id = assigned.provider_id,
    fencing_token = fencing_token + 1,
    attempts = attempts + 1,
    lease_expires_at = now() + make_interval(secs => assigned.lease_seconds),
    lease_token_hash = ($6::text[])[assigned.rank],
    last_event_batch = 0,
    assigned_at = now(),
    updated_at = now()
  FROM assigned
  WHERE jobs.id = assigned.id
  RETURNING assigned.position, ${JOB_COLUMN_NAMES.map((column) => `jobs.${column}`).join(', ')},
    jobs.lease_token_hash`;
}

const CLAIM_ONE_MODEL_SQL = claimSql('model = ($4::text[])[1]');
const CLAIM_SEVERAL_MODELS_SQL = claimSql('model = ANY($4::text[])');

/** The most claims one statement serves; a poll claims at most 25 jobs. */
const MAX_CLAIMS_PER_STATEMENT = 32;
/** Claims running at once; more arrive while they run and go out together next. */
const MAX_CLAIMS_IN_FLIGHT = 2;

interface ClaimRequest {
  providerId: string;
  models: readonly string[];
  limit: number;
  leaseSeconds: number;
}

type ClaimedRow = JobRow & { position: unknown; lease_token_hash: string };

/** Claim order is the queue order; ids break ties between jobs created in the same microsecond. */
function byQueueOrder(left: JobRecord, right: JobRecord): number {
  const difference = left.createdAt.getTime() - right.createdAt.getTime();
  if (difference !== 0) return difference;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

function claimStatement(client: SqlClient) {
  return async (requests: readonly ClaimRequest[]): Promise<JobRecord[][]> => {
    const slots = requests.reduce((total, request) => total + request.limit, 0);
    const leaseTokens = Array.from({ length: slots }, createLeaseToken);
    const tokenByHash = new Map(leaseTokens.map(({ token, hash }) => [hash, token]));
    const models = requests[0]!.models;
    const sql = models.length === 1 ? CLAIM_ONE_MODEL_SQL : CLAIM_SEVERAL_MODELS_SQL;
    const rows = await client.query<ClaimedRow>(sql, [
      requests.map((request) => request.providerId),
      requests.map((request) => request.limit),
      requests.map((request) => request.leaseSeconds),
      [...models],
      slots,
      leaseTokens.map(({ hash }) => hash),
    ]);
    const claimed = requests.map((): JobRecord[] => []);
    for (const row of rows) {
      claimed[Number(row.position) - 1]!.push({
        ...toJobRecord(row),
        leaseToken: tokenByHash.get(row.lease_token_hash),
      });
    }
    return claimed.map((jobs) => jobs.sort(byQueueOrder));
  };
}

/** `jobs.claim`: merged with concurrent claims for the same models, one round trip when idle. */
export function createJobClaims(client: SqlClient) {
  const claims = new StatementCoalescer<ClaimRequest, JobRecord[]>({
    run: claimStatement(client),
    groupOf: (request) => JSON.stringify([...request.models].sort()),
    maxItems: MAX_CLAIMS_PER_STATEMENT,
    maxInFlight: MAX_CLAIMS_IN_FLIGHT,
  });
  return async function claim(input: ClaimInput): Promise<JobRecord[]> {
    if (input.models.length === 0 || input.limit < 1) return [];
    return claims.submit({ ...input, models: [...new Set(input.models)] });
  };
}
