import { randomUUID } from 'node:crypto';
import type { JobEventsListener, Notifications, StoredEvent, Unsubscribe } from './types';

export const JOB_AVAILABLE_CHANNEL = 'infernet_job_available';
export const JOB_EVENTS_CHANNEL = 'infernet_job_events';
export const NOTIFICATION_CHANNELS = [JOB_AVAILABLE_CHANNEL, JOB_EVENTS_CHANNEL] as const;

/** Sent to every listener when notifications may have been missed: everyone re-checks. */
export const WILDCARD = '*';

type Listener = (topic: string, stored?: readonly StoredEvent[]) => void;

function callEach(
  listeners: ReadonlySet<Listener>,
  topic: string,
  stored?: readonly StoredEvent[],
): void {
  for (const listener of [...listeners]) {
    try {
      listener(topic, stored);
    } catch {
      // A failing listener must not keep the others from waking up; listeners own their errors.
    }
  }
}

function addTo(listeners: Set<Listener>, listener: Listener): Unsubscribe {
  // Wrapping makes the same function subscribed twice count twice, and unsubscribe only once.
  const entry: Listener = (topic, stored) => listener(topic, stored);
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
  /**
   * Names this process in the job-event notifications its own appends send
   * (`<job id>,<job id>… <origin>`, one per statement): those were already
   * delivered here, with their rows, so the echo from the database is skipped.
   */
  readonly origin = randomUUID();

  onJobAvailable(listener: (model: string) => void): Unsubscribe {
    return addTo(this.jobAvailableListeners, listener);
  }

  onJobEvents(listener: JobEventsListener): Unsubscribe {
    return addTo(this.jobEventsListeners, listener);
  }

  jobAvailable(model: string): void {
    callEach(this.jobAvailableListeners, model);
  }

  jobEvents(jobId: string, stored?: readonly StoredEvent[]): void {
    callEach(this.jobEventsListeners, jobId, stored);
  }

  /** Delivers one notification received on `channel`. Unknown channels are ignored. */
  dispatch(channel: string, payload: string): void {
    if (channel === JOB_AVAILABLE_CHANNEL) callEach(this.jobAvailableListeners, payload);
    else if (channel === JOB_EVENTS_CHANNEL) {
      // `<job id>`, or from appends `<job id>,<job id>… <origin>`.
      const [jobIds = '', origin] = payload.split(' ');
      if (origin === this.origin) return;
      for (const jobId of jobIds.split(',')) callEach(this.jobEventsListeners, jobId);
    }
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
