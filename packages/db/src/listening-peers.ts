import type { SqlClient } from './sql-client';

/** Every server copy's LISTEN session is named `<prefix><origin>` (its `application_name`). */
export const LISTENER_NAME_PREFIX = 'infernet-listener:';
/** A copy that starts listening says so here, with its origin, so the others notice it at once. */
export const LISTENER_JOINED_CHANNEL = 'infernet_listener_joined';

/** How often the list of other copies' LISTEN sessions is read again. */
const CHECK_INTERVAL_MS = 1_000;

const COUNT_OTHERS_SQL = `
  SELECT count(*)::integer AS others FROM pg_stat_activity
  WHERE datname = current_database()
    AND starts_with(application_name, $1) AND application_name <> $2`;

/** The name of `origin`'s LISTEN session. */
export function listenerName(origin: string): string {
  return `${LISTENER_NAME_PREFIX}${origin}`;
}

/**
 * Whether any other process listens on this database for job events: the
 * LISTEN sessions of other server copies, counted in `pg_stat_activity`
 * every second, and a copy that announces itself on LISTENER_JOINED_CHANNEL
 * counted at once. With none, a NOTIFY of stored events reaches nobody: a
 * lone control plane (the usual deployment) then skips the statement,
 * which was a quarter of its round trips per chat. Until the first count,
 * and whenever counting fails, others are assumed present: a needless
 * NOTIFY costs a round trip, a missing one delays a reader elsewhere until
 * its keep-alive re-read.
 */
export class ListeningPeers {
  #present = true;
  /** Announcements seen so far: one arriving while a count runs outweighs that count. */
  #joins = 0;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;

  constructor(
    private readonly client: SqlClient,
    private readonly origin: string,
    private readonly intervalMs: number = CHECK_INTERVAL_MS,
  ) {}

  /** Whether a NOTIFY could reach another process now. */
  get present(): boolean {
    return this.#present;
  }

  /** Counts now and then every interval; resolves after the first count. */
  async start(): Promise<void> {
    this.#timer = setInterval(() => void this.#check(), this.intervalMs);
    this.#timer.unref();
    await this.#check();
  }

  /** Another copy announced that it listens (its own echo is ignored). */
  joined(origin: string): void {
    if (origin === this.origin) return;
    this.#joins += 1;
    this.#present = true;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#checking;
  }

  /** Reads the other copies' LISTEN sessions once (one read in flight at a time). */
  #check(): Promise<void> {
    this.#checking ??= this.#count().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #count(): Promise<void> {
    const joinsBefore = this.#joins;
    try {
      const [row] = await this.client.query<{ others: number }>(COUNT_OTHERS_SQL, [
        LISTENER_NAME_PREFIX,
        listenerName(this.origin),
      ]);
      // A copy that announced itself while the count ran may be missing from its snapshot.
      if (this.#joins === joinsBefore) this.#present = (row?.others ?? 1) > 0;
    } catch {
      this.#present = true;
    }
  }
}
