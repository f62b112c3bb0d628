-- Honest availability: a bounded queue with a deadline, and the control
-- plane's own provider row for the jobs a fallback (NVIDIA NIM) serves.

-- A job still queued at this time fails with QUEUE_TIMEOUT and is never
-- handed to a node afterwards (claims skip it before the sweeper fails it).
-- NULL: no deadline (jobs made before this migration, and tests that queue
-- without one).
ALTER TABLE jobs ADD COLUMN queue_deadline_at timestamptz;
CREATE INDEX jobs_queue_deadline_index ON jobs (queue_deadline_at) WHERE status = 'queued';

-- The expected wait shown to a queued job is estimated from the model's
-- latest completions; this index finds them without reading older jobs.
CREATE INDEX jobs_recent_completions_index ON jobs (model, completed_at DESC)
  WHERE status = 'completed';

-- The writer of fallback jobs. A fallback job is held by this row like a
-- node holds a claim (fencing token, lease, lease token), so the ordinary
-- event, completion and lease queries apply to it unchanged, and a server
-- copy that dies mid-answer loses its lease like a node would. No node can
-- act as this row: its public key (all `f`) is not a point on secp256k1,
-- so no signature verifies for it, and its node_id is taken. It serves no
-- model and is never seen, so it never counts as capacity; the public
-- provider list leaves it out.
INSERT INTO providers (id, public_key, node_id, role, name, status, specs)
VALUES (
  '00000000-0000-4000-8000-000000000001',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'nvidia-nim',
  'provider',
  'NVIDIA NIM (fallback)',
  'offline',
  '{"gpus": [], "gpu_count": 0, "served_models": []}'
);
