import pg from 'pg';

/** Ends every connection to the database except ours, as a failover or an admin would. */
export async function terminateConnections(baseUrl: string, databaseUrl: string): Promise<number> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const result = await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [name],
  );
  await admin.end();
  return result.rowCount ?? 0;
}
