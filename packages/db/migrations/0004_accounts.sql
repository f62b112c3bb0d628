-- Consumer accounts (better-auth's models), API keys, job ownership and
-- prompt retention. These tables are the only schema better-auth gets: it is
-- configured with this file's names (apps/server/src/accounts/auth.ts) and
-- never migrates at run time; its start-up check compares them.

-- better-auth's `user`. Ids are better-auth's random strings.
CREATE TABLE accounts (
  id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL CONSTRAINT accounts_email_unique UNIQUE,
  email_verified boolean NOT NULL DEFAULT false,
  image text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- better-auth's `session`: the cookie carries `token`, signed with the server's secret.
CREATE TABLE account_sessions (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  token text NOT NULL CONSTRAINT account_sessions_token_unique UNIQUE,
  expires_at timestamptz NOT NULL,
  ip_address text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_sessions_account_index ON account_sessions (account_id);

-- better-auth's `account`: how an account signs in. For email and password,
-- provider_id is 'credential' and `password` holds better-auth's scrypt hash.
CREATE TABLE account_credentials (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  provider_id text NOT NULL,
  provider_account_id text NOT NULL,
  access_token text,
  refresh_token text,
  id_token text,
  access_token_expires_at timestamptz,
  refresh_token_expires_at timestamptz,
  scope text,
  password text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_credentials_account_index ON account_credentials (account_id);

-- better-auth's `verification`: one-time values (email checks, resets).
CREATE TABLE account_verifications (
  id text PRIMARY KEY,
  identifier text NOT NULL,
  value text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_verifications_identifier_index ON account_verifications (identifier);

-- better-auth's `rateLimit`: sign-in and sign-up attempts per client address,
-- shared by every server copy. last_request is Unix milliseconds.
CREATE TABLE auth_rate_limits (
  id text PRIMARY KEY,
  key text NOT NULL CONSTRAINT auth_rate_limits_key_unique UNIQUE,
  count integer NOT NULL,
  last_request bigint NOT NULL
);

-- Secrets every server copy must agree on and that nobody configured, made
-- once by whichever copy starts first (the session-cookie signing secret).
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Consumer API keys. Only the SHA-256 of a key is stored: keys carry 256
-- random bits, so a slow hash would add nothing. `prefix` (the first
-- characters) lets an owner tell keys apart; it cannot be used to sign in.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL
    CONSTRAINT api_keys_key_hash_unique UNIQUE
    CONSTRAINT api_keys_key_hash_format CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Refreshed at most once a minute, so checking a key rarely writes.
  last_used_at timestamptz,
  -- A revoked key stays for the record and is refused from then on.
  revoked_at timestamptz
);
CREATE INDEX api_keys_account_index ON api_keys (account_id, created_at);

-- Who created a job (API key or session); NULL for an anonymous playground
-- job, which only its stream token can read. Deleting an account keeps the
-- jobs' metadata; their content is already gone or goes with retention.
ALTER TABLE jobs ADD COLUMN owner_account_id text REFERENCES accounts (id) ON DELETE SET NULL;
CREATE INDEX jobs_owner_index ON jobs (owner_account_id, created_at) WHERE owner_account_id IS NOT NULL;

-- When the prompt and output were deleted; model, token counts, timings and
-- provider stay. The retention sweep walks finished jobs not yet scrubbed.
ALTER TABLE jobs ADD COLUMN content_deleted_at timestamptz;
CREATE INDEX jobs_content_retention_index ON jobs (completed_at)
  WHERE content_deleted_at IS NULL AND completed_at IS NOT NULL;

-- The account a node's operator linked it to (a signed request made while signed in).
ALTER TABLE providers ADD COLUMN owner_account_id text REFERENCES accounts (id) ON DELETE SET NULL;
CREATE INDEX providers_owner_index ON providers (owner_account_id) WHERE owner_account_id IS NOT NULL;
