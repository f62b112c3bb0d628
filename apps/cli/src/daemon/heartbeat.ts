import { HEARTBEAT_INTERVAL_SECONDS } from '@infernet/protocol';
import { NotFoundError, type HeartbeatInput, type NodeClient } from '@infernetprotocol/sdk/node';
import type { Logger } from '../output';
import type { Clock, TimerHandle } from './clock';
import type { Connectivity } from './connectivity';
import { describeError } from './connectivity';

export interface HeartbeatOptions {
  client: Pick<NodeClient, 'heartbeat'>;
  clock: Clock;
  logger: Logger;
  connectivity: Connectivity;
  /** Builds each beat's body: status and the same sanitised specs as register. */
  body(): Promise<HeartbeatInput>;
  /** The control plane forgot this node (a reset database, say): register again. */
  onNotRegistered(): Promise<void>;
  intervalMs?: number;
}

/**
 * Beats every 30 s. The next beat is scheduled only after the previous one
 * finished, so a slow control plane never gets overlapping beats.
 */
export class Heartbeat {
  readonly #options: HeartbeatOptions;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
  }

  start(): void {
    this.#stopped = false;
    this.#scheduleNext();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One beat; never throws, because a missed beat is only logged and retried next time. */
  async beat(): Promise<void> {
    const { client, connectivity, logger } = this.#options;
    try {
      await client.heartbeat(await this.#options.body());
      connectivity.succeeded();
    } catch (error) {
      if (error instanceof NotFoundError && error.code === 'NODE_NOT_REGISTERED') {
        logger.warn({}, 'the control plane no longer knows this node; registering again');
        await this.#options.onNotRegistered().catch((registerError: unknown) => {
          connectivity.failed(registerError);
          logger.debug({ error: describeError(registerError) }, 're-register failed');
        });
        return;
      }
      connectivity.failed(error);
      logger.debug({ error: describeError(error) }, 'heartbeat failed');
    }
  }

  #scheduleNext(): void {
    if (this.#stopped) return;
    const intervalMs = this.#options.intervalMs ?? HEARTBEAT_INTERVAL_SECONDS * 1000;
    this.#timer = this.#options.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.beat().finally(() => this.#scheduleNext());
    }, intervalMs);
  }
}
