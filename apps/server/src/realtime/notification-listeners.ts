import type { Notifications, Unsubscribe } from '@infernet/db';
import { WILDCARD } from './topic-hub';

type Listener = (topic: string) => void;

function callEach(listeners: ReadonlySet<Listener>, topic: string): void {
  for (const listener of [...listeners]) {
    try {
      listener(topic);
    } catch {
      // One failing listener must not keep the others asleep; listeners own their errors.
    }
  }
}

function addTo(listeners: Set<Listener>, listener: Listener): Unsubscribe {
  // Wrapping makes the same function subscribed twice count twice, and unsubscribe only once.
  const entry: Listener = (topic) => listener(topic);
  listeners.add(entry);
  return () => {
    listeners.delete(entry);
  };
}

/**
 * The process-side end of a notification transport other than the
 * database's own LISTEN: the transport calls `jobAvailable`/`jobEvents` for
 * each message it receives and `wakeAll` when messages may have been lost,
 * with the same contract as `Database.notifications`.
 */
export class NotificationListeners implements Notifications {
  private readonly jobAvailableListeners = new Set<Listener>();
  private readonly jobEventsListeners = new Set<Listener>();

  onJobAvailable(listener: (model: string) => void): Unsubscribe {
    return addTo(this.jobAvailableListeners, listener);
  }

  onJobEvents(listener: (jobId: string) => void): Unsubscribe {
    return addTo(this.jobEventsListeners, listener);
  }

  jobAvailable(model: string): void {
    callEach(this.jobAvailableListeners, model);
  }

  jobEvents(jobId: string): void {
    callEach(this.jobEventsListeners, jobId);
  }

  /** After a reconnect: whatever was sent meanwhile is lost, so every waiter re-checks. */
  wakeAll(): void {
    callEach(this.jobAvailableListeners, WILDCARD);
    callEach(this.jobEventsListeners, WILDCARD);
  }

  clear(): void {
    this.jobAvailableListeners.clear();
    this.jobEventsListeners.clear();
  }
}
