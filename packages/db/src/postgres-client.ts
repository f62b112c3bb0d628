import type { Pool, PoolClient } from 'pg';
import { asDatabaseError } from './database-errors';
import type { SqlClient, SqlExecutor } from './sql-client';

/** Our statements are constants, so this bounds nothing in practice; it guards against a leak. */
const MAX_NAMED_STATEMENTS = 256;
const statementNames = new Map<string, string>();

/**
 * Runs a parameterised statement as a named prepared statement: each pooled
 * connection parses and plans it once, and later calls send only the
 * parameters. Our hot statements are long CTEs, so this halves the bytes
 * sent and spares PostgreSQL a parse and plan per token batch.
 */
function prepared(sql: string, parameters: readonly unknown[]) {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `infernet_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name === undefined
    ? { text: sql, values: [...parameters] }
    : { name, text: sql, values: [...parameters] };
}

function executorFor(target: Pool | PoolClient): SqlExecutor {
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
      try {
        const result = await target.query(
          parameters.length === 0 ? sql : prepared(sql, parameters),
        );
        return result.rows as Row[];
      } catch (error) {
        throw asDatabaseError(error);
      }
    },
    async execute<Row>(sql: string, parameters: readonly unknown[] = []) {
      try {
        const result = await target.query(
          parameters.length === 0 ? sql : prepared(sql, parameters),
        );
        return { rows: result.rows as Row[], affectedRows: result.rowCount ?? 0 };
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
