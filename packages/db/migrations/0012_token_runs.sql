-- A node's token batch is stored as one row instead of one row per token.
-- At 40,000 relayed tokens/s the row-per-token layout made PostgreSQL the
-- busiest process (bench:relay); a batch of ten tokens is one row now.
--
-- A `tokens` row stands for `event_count` token events numbered seq,
-- seq + 1, …; its data is the JSON array of their data objects, in order.
-- Every other row is one event (event_count 1). Sequence numbers, and so
-- the SSE ids readers resume from, are unchanged: a reader may resume in
-- the middle of a row. Rows written before this migration keep their
-- one-token-per-row `token` type, and readers accept both.
ALTER TABLE job_events ADD COLUMN event_count integer NOT NULL DEFAULT 1;
ALTER TABLE job_events ADD CONSTRAINT job_events_count_matches CHECK (
  CASE WHEN type <> 'tokens' THEN event_count = 1
    WHEN jsonb_typeof(data) <> 'array' THEN false
    ELSE event_count > 0 AND jsonb_array_length(data) = event_count END);
ALTER TABLE job_events DROP CONSTRAINT job_events_type_known;
ALTER TABLE job_events ADD CONSTRAINT job_events_type_known
  CHECK (type IN ('job', 'meta', 'token', 'tokens', 'done', 'error'));

-- Every stored batch updates its job's row (sequence numbers, delivered
-- tokens). Room on each page lets those updates stay on the page (HOT)
-- instead of adding index entries; it applies to pages written from now on.
ALTER TABLE jobs SET (fillfactor = 85);
