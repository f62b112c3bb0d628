import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor } from './sql-client';

function executorFor(target: PGlite | Transaction): SqlExecutor {
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
      const result = await target.query<Row>(sql, [...parameters]);
      return result.rows;
    },
    async execute<Row>(sql: string, parameters: readonly unknown[] = []) {
      const result = await target.query<Row>(sql, [...parameters]);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
    async runScript(script: string): Promise<void> {
      await target.exec(script);
    },
  };
}

/**
 * PGlite is a single connection that serialises every call, so its own
 * `transaction` API is the only safe way to group statements: a plain query
 * issued while a transaction is open would wait for it forever.
 * `release` runs on close; by default it closes the instance.
 */
export function createPgliteClient(
  pglite: PGlite,
  release: () => Promise<void> = () => pglite.close(),
): SqlClient {
  const executor = executorFor(pglite);
  return {
    ...executor,
    transaction: (work) => pglite.transaction((transaction) => work(executorFor(transaction))),
    close: release,
  };
}
