import type { Notifications, Unsubscribe } from './types';

export const JOB_AVAILABLE_CHANNEL = 'infernet_job_available';
export const JOB_EVENTS_CHANNEL = 'infernet_job_events';
export const NOTIFICATION_CHANNELS = [JOB_AVAILABLE_CHANNEL, JOB_EVENTS_CHANNEL] as const;

/** Sent to every listener when notifications may have been missed: everyone re-checks. */
export const WILDCARD = '*';

type Listener = (topic: string) => void;

function callEach(listeners: ReadonlySet<Listener>, topic: string): void {
  for (const listener of [...listeners]) {
    try {
      listener(topic);
    } catch {
      // A failing listener must not keep the others from waking up; listeners own their errors.
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
 * Fans one notification connection (the database's LISTEN, or another
 * transport such as Redis) out to the listeners of this process, so a
 * thousand waiting requests cost one connection.
 */
export class NotificationHub implements Notifications {
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

  /** Delivers one notification received on `channel`. Unknown channels are ignored. */
  dispatch(channel: string, payload: string): void {
    if (channel === JOB_AVAILABLE_CHANNEL) callEach(this.jobAvailableListeners, payload);
    else if (channel === JOB_EVENTS_CHANNEL) callEach(this.jobEventsListeners, payload);
  }

  /** After a reconnect: notifications sent while the connection was down are lost. */
  wakeAll(): void {
    callEach(this.jobAvailableListeners, WILDCARD);
    callEach(this.jobEventsListeners, WILDCARD);
  }

  clear(): void {
    this.jobAvailableListeners.clear();
    this.jobEventsListeners.clear();
  }
}
