-- A bearer token per claim, for the hottest node write: token batches. The
-- node gets the token in its signed poll response and presents it on each
-- event post instead of a fresh BIP-340 signature, which would cost a
-- Schnorr verification and a replay-store insert per batch (performance.md,
-- "verify once per lease, then a cheap token"). Only its SHA-256 is stored;
-- every claim replaces it, so a node whose lease was taken back holds a
-- token that no longer matches.
ALTER TABLE jobs ADD COLUMN lease_token_hash text;
