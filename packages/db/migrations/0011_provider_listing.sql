-- Hidden nodes and the operator's views (docs/deploy-and-dashboard-api.md).

-- A node may choose to stay out of the public lists (`/api/providers` and
-- their detail pages). It still serves jobs and still counts in the
-- network's totals. Chosen at each register; nodes registered before this
-- choice existed stay listed.
ALTER TABLE providers ADD COLUMN listed boolean NOT NULL DEFAULT true;

-- An operator's recent jobs, newest first, per node. It supersedes the
-- index on provider_id alone, which the foreign key's lookups use just as well.
CREATE INDEX jobs_provider_recent_index ON jobs (provider_id, created_at DESC);
DROP INDEX jobs_provider_index;

-- Throughput: jobs completed recently, network-wide (`/api/overview`, polled
-- every few seconds) and per node (a node's detail and its totals).
CREATE INDEX jobs_completed_at_index ON jobs (completed_at) WHERE status = 'completed';
CREATE INDEX jobs_provider_completed_index ON jobs (provider_id, completed_at)
  WHERE status = 'completed';

-- The control plane's own fallback row is not a node anyone may look up.
UPDATE providers SET listed = false WHERE id = '00000000-0000-4000-8000-000000000001';
