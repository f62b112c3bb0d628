import { purgeContentSql } from './content-purge';
import { failWithEventSql } from './job-leases';
import type { SqlClient } from './sql-client';

/** What deleting an account did; `deleted` is false when there was no such account. */
export interface AccountDeletionResult {
  deleted: boolean;
  /** Jobs of the account still waiting or running, ended with code CANCELLED. */
  cancelledJobIds: string[];
  /** Jobs of the account whose prompt and output were deleted now. */
  purgedJobs: number;
  /** Nodes that were linked to the account; they keep running, linked to nobody. */
  unlinkedNodes: number;
}

const UNFINISHED_OWNED_JOBS = `owner_account_id = $4 AND status IN ('queued', 'assigned', 'running')`;

// Every job of the account, finished by now: none is left for a later sweep.
const PURGE_OWNED_JOBS_SQL = purgeContentSql(`
    SELECT id FROM jobs
    WHERE owner_account_id = $1 AND content_deleted_at IS NULL
    FOR NO KEY UPDATE`);

const UNLINK_NODES_SQL = `
  UPDATE providers SET owner_account_id = NULL, updated_at = now()
  WHERE owner_account_id = $1
  RETURNING id`;

// better-auth's one-time values for the account (email checks, password resets).
const DELETE_VERIFICATIONS_SQL = `
  DELETE FROM account_verifications
  WHERE value = $1 OR identifier = (SELECT email FROM accounts WHERE id = $1)`;

/*
 * The account row goes last. Its foreign keys take the rest with it:
 * sessions, sign-in credentials, API keys, deploy tokens (and their node
 * records) and device sign-in approvals cascade; jobs keep their metadata
 * with no owner.
 */
const DELETE_ACCOUNT_SQL = 'DELETE FROM accounts WHERE id = $1 RETURNING id';

/**
 * Deletes an account in one transaction: its unfinished jobs are cancelled
 * (a node must not be handed a prompt that is about to disappear), the
 * prompt and output of every job it owns are deleted, its nodes are
 * unlinked, and its sign-in, sessions, API keys and deploy tokens go.
 */
export async function deleteAccount(
  client: SqlClient,
  accountId: string,
): Promise<AccountDeletionResult> {
  return client.transaction(async (executor) => {
    const exists = await executor.query<{ id: string }>(
      'SELECT id FROM accounts WHERE id = $1 FOR UPDATE',
      [accountId],
    );
    if (!exists[0]) {
      return { deleted: false, cancelledJobIds: [], purgedJobs: 0, unlinkedNodes: 0 };
    }
    const cancelled = await executor.query<{ id: string }>(
      failWithEventSql(UNFINISHED_OWNED_JOBS),
      ['cancelled', 'Cancelled: the account was deleted.', 'CANCELLED', accountId],
    );
    const purged = await executor.query<{ purged: unknown }>(PURGE_OWNED_JOBS_SQL, [accountId]);
    const unlinked = await executor.query<{ id: string }>(UNLINK_NODES_SQL, [accountId]);
    await executor.query(DELETE_VERIFICATIONS_SQL, [accountId]);
    await executor.query(DELETE_ACCOUNT_SQL, [accountId]);
    return {
      deleted: true,
      cancelledJobIds: cancelled.map((row) => row.id),
      purgedJobs: Number(purged[0]?.purged ?? 0),
      unlinkedNodes: unlinked.length,
    };
  });
}
