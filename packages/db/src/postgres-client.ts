import type { Pool, PoolClient } from 'pg';
import { asDatabaseError } from './database-errors';
import type { SqlClient, SqlExecutor } from './sql-client';

function executorFor(target: Pool | PoolClient): SqlExecutor {
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
      try {
        const result = await target.query(sql, [...parameters]);
        return result.rows as Row[];
      } catch (error) {
        throw asDatabaseError(error);
      }
    },
    async runScript(script: string): Promise<void> {
      try {
        // Without parameters node-postgres uses the simple protocol, which accepts several statements.
        await target.query(script);
      } catch (error) {
        throw asDatabaseError(error);
      }
    },
  };
}

/** Statements run on any pooled connection; a transaction holds one connection from BEGIN to COMMIT. */
export function createPostgresClient(pool: Pool): SqlClient {
  return {
    ...executorFor(pool),
    async transaction<Result>(work: (executor: SqlExecutor) => Promise<Result>): Promise<Result> {
      let connection: PoolClient;
      try {
        connection = await pool.connect();
      } catch (error) {
        throw asDatabaseError(error);
      }
      const executor = executorFor(connection);
      let broken: Error | undefined;
      try {
        await executor.query('BEGIN');
        const result = await work(executor);
        await executor.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await connection.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection itself failed: destroy it rather than return it to the pool.
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        connection.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
