import { InfernetError } from '@infernet/protocol';

interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export interface StatementCoalescerOptions<Item, Result> {
  /** Runs one statement for several items; returns one result per item, in order. */
  run: (items: readonly Item[]) => Promise<Result[]>;
  /** Items with the same key never share a statement, and keep their order. */
  keyOf?: (item: Item) => string;
  /** Only items of one group share a statement (e.g. claims for the same models). */
  groupOf?: (item: Item) => string;
  maxItems: number;
  maxInFlight: number;
}

/**
 * Merges concurrent writes into shared statements. Everything submitted in
 * one event-loop turn goes out together at the end of that turn while fewer
 * than `maxInFlight` statements run, so an idle server adds no latency;
 * under load, items wait for a running statement to finish and then go out
 * together. On a busy control plane every database round trip costs the
 * server a socket write and PostgreSQL a statement, so fifty token batches
 * in one statement cost about what one did.
 *
 * When a shared statement fails for a reason other than the database being
 * unavailable, each item is retried on its own, so one bad item fails only
 * its own caller.
 */
export class StatementCoalescer<Item, Result> {
  private readonly queue: Pending<Item, Result>[] = [];
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(private readonly options: StatementCoalescerOptions<Item, Result>) {}

  submit(item: Item): Promise<Result> {
    const result = new Promise<Result>((resolve, reject) =>
      this.queue.push({ item, resolve, reject }),
    );
    this.schedulePump();
    return result;
  }

  /**
   * Statements start at the end of the current event-loop turn, so every
   * item submitted in it can share one: the callers a statement's results
   * wake (a claim's providers completing their jobs) submit one after
   * another within the same turn, and sending the first at once would send
   * it alone. An idle server waits only for the turn to end.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight += 1;
      void this.runGroup(group).finally(() => {
        this.inFlight -= 1;
        this.schedulePump();
      });
    }
  }

  /**
   * The oldest item and those of its group after it, one per key, up to
   * `maxItems`; the rest keep their place.
   */
  private takeGroup(): Pending<Item, Result>[] {
    const group: Pending<Item, Result>[] = [];
    const keys = new Set<string>();
    const { keyOf, groupOf } = this.options;
    const groupName = groupOf?.(this.queue[0]!.item);
    let index = 0;
    while (index < this.queue.length && group.length < this.options.maxItems) {
      const pending = this.queue[index]!;
      const key = keyOf?.(pending.item);
      const sameGroup = groupOf === undefined || groupOf(pending.item) === groupName;
      if (!sameGroup || (key !== undefined && keys.has(key))) {
        index += 1;
        continue;
      }
      if (key !== undefined) keys.add(key);
      group.push(pending);
      this.queue.splice(index, 1);
    }
    return group;
  }

  private async runGroup(group: readonly Pending<Item, Result>[]): Promise<void> {
    try {
      const results = await this.options.run(group.map((pending) => pending.item));
      group.forEach((pending, index) => pending.resolve(results[index]!));
    } catch (error) {
      const unavailable = InfernetError.isInstance(error) && error.code === 'DATABASE_UNAVAILABLE';
      if (group.length === 1 || unavailable) {
        for (const pending of group) pending.reject(error);
        return;
      }
      await Promise.all(group.map((pending) => this.runGroup([pending])));
    }
  }
}
