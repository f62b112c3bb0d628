import { JOB_EVENTS_CHANNEL, type NotificationHub } from './notification-hub';
import type { SqlClient } from './sql-client';
import type { StoredEvent } from './types';

/** Job ids per notification: 36 characters and a comma each, well under the 8,000-byte payload limit. */
const JOB_IDS_PER_NOTIFICATION = 150;
/** After a failed send the ids are kept and sent again this much later. */
const RETRY_DELAY_MS = 200;

/** Told about every committed write that stored events for a job. */
export interface JobEventAnnouncer {
  /** Names this process in what it sends, so its own listener can skip the echo. */
  readonly origin: string;
  /** `stored`: the rows, when the writer has them; readers then need not read them back. */
  eventsStored(jobId: string, stored?: readonly StoredEvent[]): void;
}

/**
 * Announces stored events: at once to this process's readers (through its
 * hub, with the rows), and to other server copies by NOTIFY, merged: all
 * the jobs announced while one send is on its way go out in the next one,
 * as `<job id>,<job id>… <origin>`. A NOTIFY inside every write statement
 * would serialise commits on PostgreSQL's notification queue lock, which
 * capped completions at about 550/s in bench:claims. Sending after the
 * write committed keeps the rule that a woken reader finds what woke it.
 * A send that fails is retried; readers elsewhere also re-read on their
 * keep-alive timer, so a lost wake-up delays and never loses an event.
 */
export class JobEventNotifier implements JobEventAnnouncer {
  private pending = new Set<string>();
  private sending: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly client: SqlClient,
    private readonly hub: NotificationHub,
    private readonly options: {
      /** Deliver to this process's listeners (false when another transport feeds them). */
      local: boolean;
      /** Send NOTIFY for other processes (false for embedded PGlite: there are none). */
      crossProcess: boolean;
      /** Whether any other process listens now; absent: assume one does. */
      peers?: { readonly present: boolean } | undefined;
    },
  ) {}

  get origin(): string {
    return this.hub.origin;
  }

  eventsStored(jobId: string, stored?: readonly StoredEvent[]): void {
    if (this.options.local) this.hub.jobEvents(jobId, stored);
    if (!this.options.crossProcess || this.stopped) return;
    // With no other server copy listening, a NOTIFY would reach nobody (ListeningPeers).
    if (this.options.peers?.present === false) return;
    this.pending.add(jobId);
    this.sending ??= this.sendPending();
  }

  /** Waits for a send on its way and sends nothing more. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.sending;
  }

  private async sendPending(): Promise<void> {
    // Let the writes finishing in this turn of the event loop join the send.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.size > 0 && !this.stopped) {
      const jobIds = [...this.pending];
      this.pending = new Set();
      const payloads: string[] = [];
      for (let start = 0; start < jobIds.length; start += JOB_IDS_PER_NOTIFICATION) {
        const chunk = jobIds.slice(start, start + JOB_IDS_PER_NOTIFICATION);
        payloads.push(`${chunk.join(',')} ${this.origin}`);
      }
      try {
        await this.client.query(
          'SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload',
          [JOB_EVENTS_CHANNEL, payloads],
        );
      } catch {
        for (const jobId of jobIds) this.pending.add(jobId);
        this.scheduleRetry();
        break;
      }
    }
    this.sending = undefined;
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.sending ??= this.sendPending();
    }, RETRY_DELAY_MS);
    this.retryTimer.unref();
  }
}
