import type { JobRecord } from '@infernet/db';

/** A parked long poll, as a submit on this server copy can take it. */
export interface TakenPoll {
  providerId: string;
  /**
   * Settles the hand-off: the job the submit stored already claimed for this
   * provider, or undefined when it queued the job instead. Must be called
   * exactly once; the poll waits for it before it does anything else.
   */
  settle(job: JobRecord | undefined): void;
}

/** A long poll's place in the registry while it waits. */
export interface ParkedPoll {
  /** Leaves the registry; a poll already taken stays taken. */
  leave(): void;
  /** What a submit handed to this poll: undefined when none took it, or it queued the job. */
  handedOff(): Promise<JobRecord | undefined>;
}

interface Entry {
  providerId: string;
  models: ReadonlySet<string>;
  onTaken: () => void;
  handOff?: Promise<JobRecord | undefined>;
}

/**
 * The long polls parked on this server copy, oldest first, so a chat
 * submitted here can be handed straight to one of them: the submit's
 * statement stores the job already claimed for that provider, instead of
 * queueing it, notifying, and waiting for the woken poll's claim statement.
 * Polls on other copies, and submits that find none here, use the queue.
 */
export class WaitingPolls {
  readonly #entries = new Set<Entry>();

  /** Registers a waiting poll; `onTaken` is called when a submit takes it, to wake it. */
  park(providerId: string, models: readonly string[], onTaken: () => void): ParkedPoll {
    const entry: Entry = { providerId, models: new Set(models), onTaken };
    this.#entries.add(entry);
    return {
      leave: () => {
        this.#entries.delete(entry);
      },
      handedOff: () => entry.handOff ?? Promise.resolve(undefined),
    };
  }

  /** Takes the longest-waiting poll that serves `model`, so no other submit can take it. */
  take(model: string): TakenPoll | undefined {
    for (const entry of this.#entries) {
      if (!entry.models.has(model)) continue;
      this.#entries.delete(entry);
      let settle!: (job: JobRecord | undefined) => void;
      entry.handOff = new Promise((resolve) => (settle = resolve));
      entry.onTaken();
      return { providerId: entry.providerId, settle };
    }
    return undefined;
  }

  /** Polls waiting now (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }
}
