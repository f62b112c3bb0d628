-- The ledger as transfers: one row moves an amount from one account (debit)
-- to another (credit), so every posting balances by construction. It
-- replaces transactions of two entries each, which needed a statement
-- trigger to check the balance, a second foreign key and six index entries
-- per earning: about half of a one-job completion's executor time
-- (auto_explain, bench:claims drain). A posting that moves value
-- between more than two accounts is several transfers in one database
-- transaction. Balances are still sums, never stored.
CREATE TABLE ledger_transfers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CONSTRAINT ledger_transfers_kind_known CHECK (kind IN ('job_earning')),
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE RESTRICT,
  -- `provider:<uuid>` or `platform:<name>`.
  debit_account text NOT NULL,
  credit_account text NOT NULL,
  -- A zero amount is a posting too: a job of a free model still earned, nothing.
  amount numeric(30, 12) NOT NULL CONSTRAINT ledger_transfers_amount_not_negative CHECK (amount >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ledger_transfers_two_accounts CHECK (debit_account <> credit_account),
  -- Exactly one earning per job, whatever the queue or a retrying node does;
  -- job first, so the index also finds a job's transfers.
  CONSTRAINT ledger_transfers_one_per_job UNIQUE (job_id, kind)
);

-- An account's history and balance, newest first, on either side.
CREATE INDEX ledger_transfers_credit_index ON ledger_transfers (credit_account, created_at DESC, id DESC);
CREATE INDEX ledger_transfers_debit_index ON ledger_transfers (debit_account, created_at DESC, id DESC);

INSERT INTO ledger_transfers (kind, job_id, debit_account, credit_account, amount, created_at)
SELECT transactions.kind, transactions.job_id, debit.account, credit.account, credit.amount,
  transactions.created_at
FROM ledger_transactions transactions
JOIN ledger_entries credit
  ON credit.transaction_id = transactions.id AND credit.account LIKE 'provider:%'
JOIN ledger_entries debit
  ON debit.transaction_id = transactions.id AND debit.account NOT LIKE 'provider:%'
ORDER BY transactions.created_at, transactions.id;

DROP TRIGGER ledger_entries_balanced ON ledger_entries;
DROP FUNCTION ledger_transactions_balanced();
DROP TABLE ledger_entries;
DROP TABLE ledger_transactions;

-- Each transfer seen as the two entries of double-entry bookkeeping: the
-- credit (positive) first, then the debit (negative). Readers filter by
-- account; the planner takes each side from its own index.
CREATE VIEW ledger_entries AS
  SELECT id AS transfer_id, kind, job_id, credit_account AS account, amount, created_at,
    1 AS side
  FROM ledger_transfers
  UNION ALL
  SELECT id, kind, job_id, debit_account, -amount, created_at, 2
  FROM ledger_transfers;
