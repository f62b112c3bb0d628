-- Where a provider wants its earnings paid: one address per coin. The coin
-- ids and address formats are checked by the control plane (protocol's
-- payout-coins); the database only keeps them. A removed provider's payout
-- addresses go with it.
CREATE TABLE provider_payouts (
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  coin text NOT NULL CONSTRAINT provider_payouts_coin_length CHECK (length(coin) BETWEEN 1 AND 32),
  address text NOT NULL
    CONSTRAINT provider_payouts_address_length CHECK (length(address) BETWEEN 1 AND 128),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_id, coin)
);

-- A provider's earnings, newest first, for `payments/list`.
CREATE INDEX ledger_entries_account_recent_index ON ledger_entries (account, created_at DESC, id DESC);
