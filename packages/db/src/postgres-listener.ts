import { Client, escapeIdentifier } from 'pg';

export interface PostgresListenerOptions {
  connectionString: string;
  channels: readonly string[];
  onNotification: (channel: string, payload: string) => void;
  /** Called after a lost connection is back and listening again. */
  onReconnect: () => void;
  /** The session's `application_name`, so other processes can tell it is listening. */
  applicationName?: string;
  /** Sent once the session listens, after every (re)connect: tells the others it is here. */
  announce?: { channel: string; payload: string };
}

export interface PostgresListener {
  close(): Promise<void>;
}

const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 5_000;

function ignore(): void {}

/**
 * Holds one dedicated connection (never a pooled one: LISTEN belongs to a
 * session, and a pool would hand that session to someone else) listening on
 * every channel. When it drops, it reconnects with capped exponential backoff
 * and jitter, listens again, then calls `onReconnect` so waiters re-check
 * what they may have missed. Resolves once the first LISTEN is active, so a
 * listener registered after open cannot miss a notification.
 */
export async function startPostgresListener(
  options: PostgresListenerOptions,
): Promise<PostgresListener> {
  let closed = false;
  let current: Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelayMs = FIRST_RETRY_DELAY_MS;
  let reconnecting: Promise<void> | undefined;

  async function connect(): Promise<Client> {
    const client = new Client({
      connectionString: options.connectionString,
      keepAlive: true,
      ...(options.applicationName === undefined
        ? {}
        : { application_name: options.applicationName }),
    });
    // Both fire when the server or network ends the session; without an 'error'
    // handler node-postgres would throw it from an event emitter and end the process.
    client.on('error', () => onLost(client));
    client.on('end', () => onLost(client));
    client.on('notification', (message) => {
      if (current === client) options.onNotification(message.channel, message.payload ?? '');
    });
    try {
      await client.connect();
      for (const channel of options.channels)
        await client.query(`LISTEN ${escapeIdentifier(channel)}`);
      if (options.announce) {
        await client.query('SELECT pg_notify($1, $2)', [
          options.announce.channel,
          options.announce.payload,
        ]);
      }
    } catch (error) {
      client.end().catch(ignore);
      throw error;
    }
    return client;
  }

  function onLost(client: Client): void {
    if (closed || current !== client) return;
    current = undefined;
    client.end().catch(ignore);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    const delayMs = retryDelayMs * (0.5 + Math.random() / 2);
    retryDelayMs = Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      reconnecting = reconnect().finally(() => (reconnecting = undefined));
    }, delayMs);
    // A retry loop alone should not keep a process alive that is otherwise done.
    retryTimer.unref();
  }

  async function reconnect(): Promise<void> {
    if (closed) return;
    let client: Client;
    try {
      client = await connect();
    } catch {
      if (!closed) scheduleReconnect();
      return;
    }
    if (closed) {
      await client.end().catch(ignore);
      return;
    }
    current = client;
    retryDelayMs = FIRST_RETRY_DELAY_MS;
    options.onReconnect();
  }

  current = await connect();

  return {
    async close(): Promise<void> {
      closed = true;
      clearTimeout(retryTimer);
      await reconnecting;
      const client = current;
      current = undefined;
      await client?.end().catch(ignore);
    },
  };
}
