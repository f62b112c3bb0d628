/**
 * The one query interface over both drivers (embedded PGlite and node-postgres),
 * so every statement in this package is written once.
 */
export interface SqlExecutor {
  /** Runs one parameterised statement and returns its rows. */
  query<Row>(sql: string, parameters?: readonly unknown[]): Promise<Row[]>;
  /** As `query`, also counting the rows an INSERT, UPDATE or DELETE touched. */
  execute<Row>(
    sql: string,
    parameters?: readonly unknown[],
  ): Promise<{ rows: Row[]; affectedRows: number }>;
  /** Runs a script of several statements without parameters (migrations). */
  runScript(script: string): Promise<void>;
}

export interface SqlClient extends SqlExecutor {
  /**
   * Runs `work` inside BEGIN … COMMIT on one connection; any throw rolls back
   * and is rethrown. Queries inside must go through the given executor.
   */
  transaction<Result>(work: (executor: SqlExecutor) => Promise<Result>): Promise<Result>;
  close(): Promise<void>;
}
