import type { StoredEvent } from '@infernet/db';
import { Wakeup } from './wakeup';

/** More undelivered rows than this and the reader reads the database instead of memory. */
const MAX_KEPT_EVENTS = 4_096;

/** What a woken reader should do next. */
export type NextEvents =
  /** Yield these (possibly none): every wake since the last take carried its rows. */
  | { source: 'memory'; events: StoredEvent[] }
  /** Something changed that only the database can tell: read it. */
  | { source: 'database' };

/**
 * A wake-up for one job's SSE reader that also keeps the rows the
 * notifications carried. Rows stored by this process arrive with their
 * notification, so the reader can yield them without reading them back —
 * one query fewer per token batch and reader. A notification from another
 * server copy, a wildcard, or rows that leave a gap after the reader's
 * cursor (another copy's batch in between) send the reader to the database.
 */
export class EventWakeup extends Wakeup {
  private kept: StoredEvent[] = [];
  private mustRead = false;

  override notify(stored?: readonly StoredEvent[]): void {
    if (stored === undefined || this.kept.length + stored.length > MAX_KEPT_EVENTS) {
      this.mustRead = true;
      this.kept = [];
    } else if (!this.mustRead) {
      this.kept.push(...stored);
    }
    super.notify();
  }

  /** Takes what the wakes since the last call carried, relative to the reader's cursor. */
  take(cursor: number): NextEvents {
    const kept = this.kept;
    const mustRead = this.mustRead;
    this.kept = [];
    this.mustRead = false;
    if (mustRead) return { source: 'database' };
    const events = kept.filter((event) => event.seq > cursor).sort((a, b) => a.seq - b.seq);
    for (const [index, event] of events.entries()) {
      if (event.seq !== cursor + 1 + index) return { source: 'database' };
    }
    return { source: 'memory', events };
  }
}
