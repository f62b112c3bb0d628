/*
 * Adds `change` (an SQL expression: +1 or -1) to the number of SSE readers
 * of job `job` (an SQL expression for its id). The count never goes below
 * zero; the moment it reaches zero is remembered, for cancelAbandoned. The
 * job row is not touched, so a claim racing with a reader never skips the
 * job. A statement of its own, or a CTE in a reader's first read.
 */
export function countReaderSql(job: string, change: string): string {
  return `
    INSERT INTO job_stream_readers AS current (job_id, readers, left_at)
    SELECT id, greatest(${change}, 0), CASE WHEN ${change} > 0 THEN NULL ELSE now() END
    FROM jobs WHERE id = ${job}
    ON CONFLICT (job_id) DO UPDATE SET
      readers = greatest(current.readers + ${change}, 0),
      left_at = CASE WHEN greatest(current.readers + ${change}, 0) = 0 THEN now() ELSE NULL END`;
}
