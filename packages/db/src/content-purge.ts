/*
 * Scrubs the jobs the `due` statement picks (it selects their ids and locks
 * them) in one statement. Messages (or an embedding job's texts) become an
 * empty list so the stored input keeps its shape; the sampling settings
 * stay. Results lose their text and vectors; token events go, and the
 * `done` event loses its text. Parameters are the `due` statement's.
 */
export function purgeContentSql(due: string): string {
  return `
  WITH due AS (${due}), scrubbed AS (
    UPDATE jobs SET
      input = CASE WHEN jobs.type = 'embedding'
        THEN jsonb_set(input, '{input}', '[]'::jsonb)
        ELSE jsonb_set(input, '{messages}', '[]'::jsonb) END,
      result = CASE WHEN result IS NULL THEN NULL ELSE result - 'text' - 'embeddings' END,
      content_deleted_at = now(), updated_at = now()
    FROM due
    WHERE jobs.id = due.id
    RETURNING jobs.id
  ), tokens AS (
    DELETE FROM job_events USING scrubbed
    WHERE job_events.job_id = scrubbed.id AND job_events.type IN ('token', 'tokens')
  ), done AS (
    UPDATE job_events SET data = job_events.data - 'text'
    FROM scrubbed
    WHERE job_events.job_id = scrubbed.id AND job_events.type = 'done'
  )
  SELECT count(*) AS purged FROM scrubbed`;
}
