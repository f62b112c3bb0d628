-- Providers, chat jobs, their stream events and the signed-request replay store.
-- Applied migrations are never edited; change the schema in a new numbered file.

CREATE TABLE providers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- A BIP-340 x-only public key; lowercase hex only, so one key has one spelling.
  public_key text NOT NULL
    CONSTRAINT providers_public_key_unique UNIQUE
    CONSTRAINT providers_public_key_format CHECK (public_key ~ '^[0-9a-f]{64}$'),
  node_id text NOT NULL CONSTRAINT providers_node_id_unique UNIQUE,
  role text NOT NULL DEFAULT 'provider'
    CONSTRAINT providers_role_known CHECK (role IN ('provider', 'aggregator', 'client')),
  name text,
  status text NOT NULL DEFAULT 'available'
    CONSTRAINT providers_status_known CHECK (status IN ('available', 'busy', 'offline')),
  address text,
  port integer CONSTRAINT providers_port_range CHECK (port BETWEEN 1 AND 65535),
  gpu_model text,
  price numeric CONSTRAINT providers_price_not_negative CHECK (price >= 0),
  specs jsonb NOT NULL DEFAULT '{"gpus": [], "gpu_count": 0, "served_models": []}',
  last_seen timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The public provider list is ordered by the latest heartbeat.
CREATE INDEX providers_last_seen_index ON providers (last_seen DESC NULLS LAST);

CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type text NOT NULL DEFAULT 'chat' CONSTRAINT jobs_type_known CHECK (type IN ('chat')),
  status text NOT NULL DEFAULT 'queued'
    CONSTRAINT jobs_status_known
    CHECK (status IN ('queued', 'assigned', 'running', 'completed', 'failed', 'cancelled')),
  model text NOT NULL,
  title text NOT NULL,
  input jsonb NOT NULL,
  -- Deleting a provider keeps the history of the jobs it ran.
  provider_id uuid REFERENCES providers (id) ON DELETE SET NULL,
  -- SHA-256 of the per-job stream token; the token itself is never stored.
  stream_token_hash text NOT NULL
    CONSTRAINT jobs_stream_token_hash_format CHECK (stream_token_hash ~ '^[0-9a-f]{64}$'),
  -- Incremented by every claim, so a write from an older lease can be told apart.
  fencing_token bigint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  lease_expires_at timestamptz,
  -- The last sequence number handed out to job_events; reserved under the row lock.
  event_seq bigint NOT NULL DEFAULT 0,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  assigned_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The claim reads only queued rows, by model, oldest first. Status is the
-- partial-index predicate rather than a key column: it is constant inside it.
CREATE INDEX jobs_claimable_index ON jobs (model, created_at, id) WHERE status = 'queued';
-- Removing a provider looks up the jobs it holds (and the foreign key needs it).
CREATE INDEX jobs_provider_index ON jobs (provider_id);
-- Counts per status for the public overview.
CREATE INDEX jobs_status_index ON jobs (status);

CREATE TABLE job_events (
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  -- 1, 2, 3 … per job; the SSE `id:` a reader resumes from.
  seq bigint NOT NULL CONSTRAINT job_events_seq_positive CHECK (seq > 0),
  type text NOT NULL
    CONSTRAINT job_events_type_known CHECK (type IN ('job', 'meta', 'token', 'done', 'error')),
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, seq)
);

-- One row per signed request seen, kept until its signature could no longer be accepted.
CREATE TABLE replay_nonces (
  public_key text NOT NULL,
  nonce text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (public_key, nonce)
);

CREATE INDEX replay_nonces_expires_at_index ON replay_nonces (expires_at);
