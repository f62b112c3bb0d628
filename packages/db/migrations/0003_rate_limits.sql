-- Request counters for rate limits, shared by every server copy (when
-- REDIS_URL is set the counters live in Redis instead and this table stays
-- empty). One row per limiter and identity, e.g. `chat-submits:ip:203.0.113.7`,
-- counting the requests of its current window; the first request after the
-- window ended starts a new one in the same statement, and maintenance
-- deletes rows whose window ended long ago.
--
-- UNLOGGED: a counter is worthless after a crash, and skipping the
-- write-ahead log keeps the one write per counted request cheap.
CREATE UNLOGGED TABLE rate_limits (
  key text PRIMARY KEY,
  points integer NOT NULL,
  -- NULL: the window never ends.
  expires_at timestamptz
);
CREATE INDEX rate_limits_expires_at_index ON rate_limits (expires_at);
