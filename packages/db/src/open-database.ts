import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { InfernetError } from '@infernet/protocol';
import { Pool } from 'pg';
import { createAccountQueries, createContentRetentionQueries } from './accounts';
import { createDashboardQueries } from './dashboard';
import { createDeployTokenQueries } from './deploy-tokens';
import { createDeviceCodeQueries } from './device-codes';
import { createEventQueries } from './events';
import { JobEventNotifier } from './job-event-notifier';
import { createJobQueries } from './jobs';
import { createKyselyDialect } from './kysely-dialect';
import { applyMigrations, loadMigrations } from './migrations';
import { NOTIFICATION_CHANNELS, NotificationHub } from './notification-hub';
import { createPgliteClient } from './pglite-client';
import { createPostgresClient } from './postgres-client';
import { startPostgresListener } from './postgres-listener';
import { LISTENER_JOINED_CHANNEL, ListeningPeers, listenerName } from './listening-peers';
import { createProviderQueries } from './providers';
import { createReplayStore } from './replay';
import { createRateLimitQueries } from './rate-limits';
import { createLedgerQueries } from './ledger';
import { createPayoutQueries } from './payouts';
import type { SqlClient } from './sql-client';
import type { Database, OpenDatabaseOptions } from './types';

interface DatabaseParts {
  kind: Database['kind'];
  client: SqlClient;
  hub: NotificationHub;
  /** Stops listening; runs before the client closes. */
  stopListening: () => Promise<void>;
  /** Whether `hub` delivers anything (see OpenDatabaseOptions.listen). */
  listening: boolean;
  /** PostgreSQL only: whether other processes listen for job events. */
  peers?: ListeningPeers;
}

function ignore(): void {}

/** After close, every call fails the same way on both drivers instead of hanging or reviving a pool. */
function refusingAfterClose(client: SqlClient, isClosed: () => boolean): SqlClient {
  function ensureOpen(): void {
    if (isClosed()) throw new InfernetError('DATABASE_UNAVAILABLE', 'the database is closed');
  }
  return {
    async query<Row>(sql: string, parameters?: readonly unknown[]): Promise<Row[]> {
      ensureOpen();
      return client.query<Row>(sql, parameters);
    },
    async execute<Row>(sql: string, parameters?: readonly unknown[]) {
      ensureOpen();
      return client.execute<Row>(sql, parameters);
    },
    async runScript(script: string): Promise<void> {
      ensureOpen();
      return client.runScript(script);
    },
    async transaction(work) {
      ensureOpen();
      return client.transaction(work);
    },
    close: () => client.close(),
  };
}

function assemble(parts: DatabaseParts): Database {
  const { kind, hub, stopListening } = parts;
  let closing: Promise<void> | undefined;
  const client = refusingAfterClose(parts.client, () => closing !== undefined);
  const notifier = new JobEventNotifier(client, hub, {
    local: parts.listening,
    crossProcess: kind === 'postgres',
    peers: parts.peers,
  });
  return {
    kind,
    providers: createProviderQueries(client),
    jobs: createJobQueries(client, notifier),
    events: createEventQueries(client, notifier),
    replay: createReplayStore(client),
    rateLimits: createRateLimitQueries(client),
    ledger: createLedgerQueries(client),
    payouts: createPayoutQueries(client),
    notifications: hub,
    accounts: createAccountQueries(client),
    deployTokens: createDeployTokenQueries(client),
    deviceCodes: createDeviceCodeQueries(client),
    retention: createContentRetentionQueries(client),
    dashboard: createDashboardQueries(client),
    kyselyDialect: createKyselyDialect(client),
    async ping() {
      try {
        await client.query('SELECT 1');
      } catch (error) {
        throw InfernetError.isInstance(error)
          ? error
          : new InfernetError('DATABASE_UNAVAILABLE', 'the database did not answer', {
              cause: error,
            });
      }
    },
    close() {
      // Idempotent, so shutdown paths that race each other both get the same promise.
      closing ??= (async () => {
        hub.clear();
        await notifier.stop();
        await parts.peers?.stop();
        await stopListening();
        await client.close();
      })();
      return closing;
    },
  };
}

async function notListening(): Promise<void> {}

/**
 * Wraps an open PGlite instance and migrates it. Closing the Database calls
 * `release`, which by default closes the instance.
 */
export async function openPgliteDatabase(
  pglite: PGlite,
  release?: () => Promise<void>,
  options: { listen?: boolean | undefined } = {},
): Promise<Database> {
  const client = createPgliteClient(pglite, release);
  try {
    await applyMigrations(client, await loadMigrations());
    const hub = new NotificationHub();
    if (options.listen === false) {
      return assemble({
        kind: 'pglite',
        client,
        hub,
        stopListening: notListening,
        listening: false,
      });
    }
    // PGlite is in-process: its notifications come from this process only, so it never reconnects.
    const unlisteners = await Promise.all(
      NOTIFICATION_CHANNELS.map((channel) =>
        pglite.listen(channel, (payload) => hub.dispatch(channel, payload)),
      ),
    );
    const stopListening = async (): Promise<void> => {
      await Promise.all(unlisteners.map((unlisten) => unlisten().catch(ignore)));
    };
    return assemble({ kind: 'pglite', client, hub, stopListening, listening: true });
  } catch (error) {
    await client.close().catch(ignore);
    throw error;
  }
}

/*
 * Every parameterised statement is a named prepared statement (see
 * postgres-client.ts), and all of them are fixed texts whose plans do not
 * depend on the values: key lookups, or batches unnested from arrays. Left to
 * itself PostgreSQL re-plans the batch statements on every call, because a
 * custom plan sees the real array length and so always looks cheaper than
 * the generic one; planning was a tenth of the database's time in
 * bench:claims. Generic plans are planned once per connection.
 */
const PLAN_CACHE_MODE = 'force_generic_plan';

/** Enough connections for 16 or so concurrent node writes per server copy; configurable. */
const DEFAULT_POOL_SIZE = 20;

async function openPostgresDatabase(
  databaseUrl: string,
  listen: boolean,
  poolSize: number,
): Promise<Database> {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: poolSize,
    options: `-c plan_cache_mode=${PLAN_CACHE_MODE}`,
  });
  // An idle pooled connection the server terminates is reported here; without
  // a handler the event would crash the process. The pool discards that
  // connection and the next query opens a fresh one.
  pool.on('error', ignore);
  const client = createPostgresClient(pool);
  let peers: ListeningPeers | undefined;
  try {
    await applyMigrations(client, await loadMigrations());
    const hub = new NotificationHub();
    peers = new ListeningPeers(client, hub.origin);
    if (!listen) {
      await peers.start();
      return assemble({
        kind: 'postgres',
        client,
        hub,
        peers,
        stopListening: notListening,
        listening: false,
      });
    }
    const listener = await startPostgresListener({
      connectionString: databaseUrl,
      channels: [...NOTIFICATION_CHANNELS, LISTENER_JOINED_CHANNEL],
      onNotification: (channel, payload) =>
        channel === LISTENER_JOINED_CHANNEL
          ? peers?.joined(payload)
          : hub.dispatch(channel, payload),
      onReconnect: () => hub.wakeAll(),
      applicationName: listenerName(hub.origin),
      announce: { channel: LISTENER_JOINED_CHANNEL, payload: hub.origin },
    });
    await peers.start();
    return assemble({
      kind: 'postgres',
      client,
      hub,
      peers,
      stopListening: () => listener.close(),
      listening: true,
    });
  } catch (error) {
    await peers?.stop();
    await client.close().catch(ignore);
    throw error;
  }
}

/**
 * Opens the control plane's database and brings its schema up to date:
 * PostgreSQL when `databaseUrl` is set, otherwise embedded PGlite in
 * `dataDirectory` (created if missing), or in memory when that is absent too.
 *
 * @example
 * const db = await openDatabase({ dataDirectory: '/var/lib/infernet/pglite' });
 * const jobs = await db.jobs.claim({ providerId, models: ['llama3'], limit: 5, leaseSeconds: 30 });
 * await db.close();
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const listen = options.listen ?? true;
  if (options.databaseUrl) {
    return openPostgresDatabase(options.databaseUrl, listen, options.poolSize ?? DEFAULT_POOL_SIZE);
  }
  if (options.dataDirectory) {
    await mkdir(options.dataDirectory, { recursive: true });
    const pglite = await PGlite.create({ dataDir: options.dataDirectory });
    return openPgliteDatabase(pglite, undefined, { listen });
  }
  return openPgliteDatabase(await PGlite.create(), undefined, { listen });
}
