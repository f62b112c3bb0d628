-- Leases that survive crashes, consumer cancellation, and the earnings ledger.

-- The last event batch number accepted under the current claim; a retried
-- batch with a number at or below it is acknowledged and not stored twice.
ALTER TABLE jobs ADD COLUMN last_event_batch integer NOT NULL DEFAULT 0;
-- When the first token was stored: after it, a job is never handed to another
-- node, because a second node would restart the answer mid-stream.
ALTER TABLE jobs ADD COLUMN first_token_at timestamptz;
-- Token events stored: what reached (or can reach) the consumer, and so what is billed.
ALTER TABLE jobs ADD COLUMN delivered_tokens integer NOT NULL DEFAULT 0;

-- Open SSE readers across all server copies, and when the last one left; an
-- anonymous job whose reader left and never came back is cancelled. A table
-- of its own, because locking the job row to count a reader would make a
-- concurrent claim (SKIP LOCKED) pass over the job and leave it waiting.
CREATE TABLE job_stream_readers (
  job_id uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  readers integer NOT NULL DEFAULT 0 CONSTRAINT job_stream_readers_not_negative CHECK (readers >= 0),
  left_at timestamptz
);
CREATE INDEX job_stream_readers_left_at_index ON job_stream_readers (left_at) WHERE readers = 0;

-- Claims take the oldest queued jobs of any of a node's models; with this
-- index the planner walks the queue in order instead of sorting it.
CREATE INDEX jobs_queue_order_index ON jobs (created_at, id) WHERE status = 'queued';

/*
 * The one rule for a node writing to a job (events, complete, release), used
 * by every such query: NULL when the write may proceed, otherwise why not. A
 * cancelled job tells the node to stop; a job taken back (queued again, or
 * re-claimed under a newer fencing token) tells a node that once held it that
 * its lease is lost; a node that never held the current claim is not the owner.
 */
CREATE FUNCTION infernet_job_write_failure(
  job_status text, holder uuid, current_token bigint, caller uuid, presented_token bigint
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN job_status = 'cancelled' THEN 'cancelled'
    WHEN job_status = 'queued' THEN
      CASE WHEN presented_token IS NULL THEN 'not_active' ELSE 'lease_lost' END
    WHEN holder IS DISTINCT FROM caller THEN
      CASE WHEN presented_token < current_token THEN 'lease_lost' ELSE 'not_owner' END
    WHEN presented_token <> current_token THEN 'lease_lost'
  END
$$;

-- The sweeper looks only at held jobs, by lease expiry.
CREATE INDEX jobs_lease_index ON jobs (lease_expires_at) WHERE status IN ('assigned', 'running');

-- Double-entry ledger. A transaction groups entries whose amounts sum to zero;
-- balances are sums of entries, never stored on their own.
CREATE TABLE ledger_transactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CONSTRAINT ledger_transactions_kind_known CHECK (kind IN ('job_earning')),
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Exactly one earning per job, whatever the queue or a retrying node does.
  CONSTRAINT ledger_transactions_one_per_job UNIQUE (kind, job_id)
);

CREATE TABLE ledger_entries (
  id bigserial PRIMARY KEY,
  transaction_id uuid NOT NULL REFERENCES ledger_transactions (id) ON DELETE RESTRICT,
  -- `provider:<uuid>` or `platform:<name>`.
  account text NOT NULL,
  amount numeric(30, 12) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ledger_entries_account_index ON ledger_entries (account);
CREATE INDEX ledger_entries_transaction_index ON ledger_entries (transaction_id);

-- Checked at commit, so the entries of one transaction may be inserted in any order.
CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE transaction_id = NEW.transaction_id) <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % does not balance', NEW.transaction_id;
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_entries_balanced
  AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced();
