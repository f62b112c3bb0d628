-- Deploy tokens and device sign-in (docs/deploy-and-dashboard-api.md).

-- A deploy token lets one account provision nodes for a while: fetch the
-- cloud-init script and link nodes to the account. Only its SHA-256 is
-- stored; it carries 256 random bits, so a slow hash would add nothing. A
-- revoked or expired token stays for the owner's record and is refused.
CREATE TABLE deploy_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  label text NOT NULL,
  token_hash text NOT NULL
    CONSTRAINT deploy_tokens_token_hash_unique UNIQUE
    CONSTRAINT deploy_tokens_token_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz,
  CONSTRAINT deploy_tokens_expire_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX deploy_tokens_account_index ON deploy_tokens (account_id, created_at);

-- Which nodes each token linked, so the owner sees what a token was used for.
CREATE TABLE deploy_token_nodes (
  token_id uuid NOT NULL REFERENCES deploy_tokens (id) ON DELETE CASCADE,
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  linked_at timestamptz NOT NULL,
  PRIMARY KEY (token_id, provider_id)
);

-- Device sign-in (as RFC 8628): a registered node asks for a code, its
-- operator approves or denies it in the browser, and the node polls with the
-- secret device code (stored as its SHA-256) until the answer is known. The
-- user code is what the operator types: 8 characters, stored without the dash.
CREATE TABLE device_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  device_code_hash text NOT NULL
    CONSTRAINT device_codes_device_code_hash_unique UNIQUE
    CONSTRAINT device_codes_device_code_hash_format CHECK (device_code_hash ~ '^[0-9a-f]{64}$'),
  user_code text NOT NULL
    CONSTRAINT device_codes_user_code_unique UNIQUE
    CONSTRAINT device_codes_user_code_format CHECK (user_code ~ '^[A-HJ-NP-Z2-9]{8}$'),
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending'
    CONSTRAINT device_codes_status_known CHECK (status IN ('pending', 'approved', 'denied')),
  -- Who approved or denied it; NULL while pending.
  account_id text REFERENCES accounts (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  decided_at timestamptz,
  CONSTRAINT device_codes_decided_by_account CHECK ((status = 'pending') = (account_id IS NULL))
);
CREATE INDEX device_codes_provider_index ON device_codes (provider_id, expires_at);
