import { WILDCARD } from '@infernet/db';

export { WILDCARD };

/** What a hub wakes: a `Wakeup`, or one that also keeps what the notification carried. */
export interface Waiter<Payload> {
  notify(payload?: Payload): void;
}

/**
 * Fans one database notification channel out to the waiters of this process,
 * keyed by topic (a model name, a job id). One LISTEN serves every waiter.
 * A notification may carry a payload (the rows this process just stored);
 * the wildcard never does.
 */
export class TopicHub<Payload = never> {
  private readonly waiters = new Map<string, Set<Waiter<Payload>>>();

  /** Registers a wake-up for each topic; call the returned function to leave. */
  subscribe(topics: readonly string[], wakeup: Waiter<Payload>): () => void {
    for (const topic of topics) {
      let set = this.waiters.get(topic);
      if (!set) this.waiters.set(topic, (set = new Set()));
      set.add(wakeup);
    }
    return () => {
      for (const topic of topics) {
        const set = this.waiters.get(topic);
        set?.delete(wakeup);
        if (set?.size === 0) this.waiters.delete(topic);
      }
    };
  }

  publish(topic: string, payload?: Payload): void {
    if (topic === WILDCARD) {
      for (const set of this.waiters.values()) for (const wakeup of set) wakeup.notify();
      return;
    }
    for (const wakeup of this.waiters.get(topic) ?? []) wakeup.notify(payload);
  }

  get size(): number {
    return this.waiters.size;
  }
}
