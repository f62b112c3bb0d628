import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import type { SqlClient, SqlExecutor } from './sql-client';

/** Thrown inside the held transaction to make `SqlClient.transaction` roll it back. */
const ROLLBACK = Symbol('rollback');

/**
 * One Kysely connection. Outside a transaction its statements run through the
 * client (any pooled connection, or PGlite's one); `begin` opens a
 * `SqlClient.transaction` and holds it open until `finish`, so both drivers
 * keep their own transaction handling (PGlite's would deadlock otherwise).
 */
class SqlClientConnection implements DatabaseConnection {
  readonly #client: SqlClient;
  #executor: SqlExecutor;
  #finish: ((commit: boolean) => Promise<void>) | undefined;

  constructor(client: SqlClient) {
    this.#client = client;
    this.#executor = client;
  }

  async executeQuery<Row>(compiled: CompiledQuery): Promise<QueryResult<Row>> {
    const { rows, affectedRows } = await this.#executor.execute<Row>(
      compiled.sql,
      compiled.parameters,
    );
    return { rows, numAffectedRows: BigInt(affectedRows) };
  }

  // eslint-disable-next-line require-yield -- no caller streams; Kysely requires the method.
  async *streamQuery<Row>(): AsyncIterableIterator<QueryResult<Row>> {
    throw new Error('streaming queries are not supported');
  }

  async begin(): Promise<void> {
    if (this.#finish) throw new Error('a transaction is already open on this connection');
    let decide: (commit: boolean) => void = () => {};
    const decision = new Promise<boolean>((resolve) => (decide = resolve));
    await new Promise<void>((started, failed) => {
      const done = this.#client.transaction(async (executor) => {
        this.#executor = executor;
        started();
        if (!(await decision)) throw ROLLBACK;
      });
      // Before `started` this reports a failed BEGIN; after it, `finish` reports the outcome.
      done.catch(failed);
      this.#finish = async (commit) => {
        decide(commit);
        try {
          await done;
        } catch (error) {
          if (error !== ROLLBACK) throw error;
        } finally {
          this.#executor = this.#client;
          this.#finish = undefined;
        }
      };
    });
  }

  async finish(commit: boolean): Promise<void> {
    if (!this.#finish) throw new Error('no transaction is open on this connection');
    await this.#finish(commit);
  }
}

class SqlClientDriver implements Driver {
  readonly #client: SqlClient;

  constructor(client: SqlClient) {
    this.#client = client;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new SqlClientConnection(this.#client);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SqlClientConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SqlClientConnection).finish(true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as SqlClientConnection).finish(false);
  }

  async releaseConnection(): Promise<void> {}

  /** The Database owns the client and closes it. */
  async destroy(): Promise<void> {}
}

/**
 * A Kysely dialect over this package's `SqlClient`, for libraries that speak
 * Kysely (the server's auth library): the same connections, PGlite or
 * PostgreSQL, and the same closed-database behaviour as every other query.
 */
export function createKyselyDialect(client: SqlClient): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new SqlClientDriver(client),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own signature.
    createIntrospector: (db: Kysely<any>) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}
