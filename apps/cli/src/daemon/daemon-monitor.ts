import type { ChatChunk, Engine } from '@infernet/engines';
import type { NodeJob } from '@infernet/protocol';
import { ApiError, ConnectionError, TimeoutError } from '@infernetprotocol/sdk/node';
import type { Clock } from './clock';
import type { P2pStatus, RecentError, StatsData, StatusData } from './ipc-protocol';
import type { JobHandle } from './job-handle';
import { RunningJobs } from './running-jobs';

/** Answers kept for the recent tokens-per-second figure. */
const RECENT_ANSWERS = 32;
/** Failures kept for `infernet status` and `infernet tui`. */
const RECENT_ERRORS = 5;
/** An error message longer than this is cut: it is a hint, the log has the rest. */
const MAX_ERROR_MESSAGE = 200;

/** `RunningJobs` that also remembers when each job was claimed, for `infernet status`. */
export class TimedRunningJobs extends RunningJobs {
  readonly #claimedAt = new WeakMap<JobHandle, number>();

  override add(job: NodeJob, claimedAt: number): JobHandle {
    const handle = super.add(job, claimedAt);
    this.#claimedAt.set(handle, claimedAt);
    return handle;
  }

  claimedAt(handle: JobHandle): number | undefined {
    return this.#claimedAt.get(handle);
  }
}

export interface DaemonIdentity {
  nodeId: string;
  name: string;
  controlPlaneUrl: string;
  maxConcurrentJobs: number;
  logFile: string | null;
  /** Whether P2P is on and the port advertised, as configured; the port is known once opened. */
  p2p?: { enabled: boolean; advertised: boolean };
}

/**
 * What the daemon reports over its control socket. It watches from the
 * outside: it wraps the control-plane client (registered? reachable? jobs
 * completed or failed) and the engine (tokens generated), and hands the
 * daemon the running-jobs registry, so the daemon itself knows nothing of it.
 */
export class DaemonMonitor {
  readonly jobs = new TimedRunningJobs();
  readonly #clock: Clock;
  readonly #identity: DaemonIdentity;
  readonly #startedAt: number;
  #registered = false;
  #connected: boolean | null = null;
  #lastContactAt: number | null = null;
  #draining = false;
  #completed = 0;
  #failed = 0;
  #tokensServed = 0;
  #recentAnswers: { tokens: number; milliseconds: number }[] = [];
  #recentErrors: RecentError[] = [];
  #p2pPort: number | null = null;

  constructor(options: { clock: Clock; identity: DaemonIdentity }) {
    this.#clock = options.clock;
    this.#identity = options.identity;
    this.#startedAt = options.clock.now();
  }

  /** The P2P port the daemon listens on, or null when it could not open one. */
  setP2pPort(port: number | null): void {
    this.#p2pPort = port;
  }

  markDraining(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** The same client, reporting each call's outcome here. */
  watchClient<Client extends object>(client: Client): Client {
    return new Proxy(client, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = value.apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (answer: unknown) => {
              this.#contacted(true);
              if (property === 'register') this.#registered = true;
              if (property === 'complete') this.#countCompletion(args[0], args[1]);
              return answer;
            },
            (error: unknown) => {
              this.#recordClientError(String(property), error);
              if (error instanceof ConnectionError || error instanceof TimeoutError) {
                this.#contacted(false);
              } else if (typeof error === 'object' && error !== null && 'status' in error) {
                // An API error: the control plane answered, if only to refuse.
                this.#contacted(true);
              }
              throw error;
            },
          );
        };
      },
    });
  }

  /** The same engine, counting the tokens each chat answer generates. */
  watchEngine(engine: Engine): Engine {
    const clock = this.#clock;
    const record = (tokens: number, answer: { finished: boolean; milliseconds: number }) =>
      this.#countAnswer(tokens, answer);
    async function* countedChat(
      ...args: Parameters<Engine['chat']>
    ): AsyncGenerator<ChatChunk, void, undefined> {
      const startedAt = clock.now();
      let pieces = 0;
      let final: Extract<ChatChunk, { done: true }> | undefined;
      try {
        for await (const chunk of engine.chat(...args)) {
          if (chunk.done) final = chunk;
          else pieces += 1;
          yield chunk;
        }
      } finally {
        record(final?.usage?.completionTokens ?? pieces, {
          finished: final !== undefined,
          milliseconds: clock.now() - startedAt,
        });
      }
    }
    return new Proxy(engine, {
      get: (target, property) => {
        if (property === 'chat') return countedChat;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  status(): StatusData {
    const now = this.#clock.now();
    const identity = this.#identity;
    return {
      pid: process.pid,
      startedAt: new Date(this.#startedAt).toISOString(),
      uptimeSeconds: Math.round((now - this.#startedAt) / 1000),
      nodeId: identity.nodeId,
      name: identity.name,
      controlPlaneUrl: identity.controlPlaneUrl,
      registered: this.#registered,
      connected: this.#connected,
      lastContactAt:
        this.#lastContactAt === null ? null : new Date(this.#lastContactAt).toISOString(),
      draining: this.#draining,
      maxConcurrentJobs: identity.maxConcurrentJobs,
      jobs: this.jobs.list().map((handle) => ({
        id: handle.id,
        type: handle.job.type,
        model: handle.job.model_name,
        elapsedSeconds: Math.round((now - (this.jobs.claimedAt(handle) ?? now)) / 100) / 10,
      })),
      logFile: identity.logFile,
      p2p: this.#p2pStatus(),
      recentErrors: [...this.#recentErrors],
    };
  }

  #p2pStatus(): P2pStatus {
    const configured = this.#identity.p2p ?? { enabled: false, advertised: false };
    const port = configured.enabled ? this.#p2pPort : null;
    return {
      enabled: configured.enabled,
      port,
      advertised: configured.advertised && port !== null,
    };
  }

  stats(): StatsData {
    const recent = this.#recentAnswers;
    const tokens = recent.reduce((sum, answer) => sum + answer.tokens, 0);
    const milliseconds = recent.reduce((sum, answer) => sum + answer.milliseconds, 0);
    return {
      uptimeSeconds: Math.round((this.#clock.now() - this.#startedAt) / 1000),
      jobs: { running: this.jobs.size, completed: this.#completed, failed: this.#failed },
      tokens: {
        served: this.#tokensServed,
        perSecondRecent:
          recent.length > 0 && milliseconds > 0
            ? Math.round((tokens / milliseconds) * 10_000) / 10
            : null,
      },
      // The control plane keeps a ledger but does not report earnings to nodes yet.
      earnings: null,
    };
  }

  #contacted(answered: boolean): void {
    this.#connected = answered;
    if (answered) this.#lastContactAt = this.#clock.now();
  }

  #countCompletion(jobId: unknown, body: unknown): void {
    const fields =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (fields.status === 'completed') this.#completed += 1;
    else if (fields.status === 'failed') {
      this.#failed += 1;
      // The daemon's failure reasons name the engine's error, never prompt or output text.
      const reason = typeof fields.error === 'string' ? fields.error : 'no reason given';
      this.#recordError(`job ${String(jobId)} failed: ${reason}`);
    }
  }

  #recordClientError(call: string, error: unknown): void {
    // Stale leases and cancelled jobs are the lease protocol working, not failures.
    if (error instanceof ApiError && error.status === 409) return;
    if (error instanceof ApiError) {
      this.#recordError(`${call}: ${error.message} [${error.code}]`);
    } else if (error instanceof ConnectionError) {
      this.#recordError(`${call}: control plane unreachable (${error.message})`);
    }
  }

  #recordError(message: string): void {
    const text =
      message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…` : message;
    this.#recentErrors.push({ at: new Date(this.#clock.now()).toISOString(), message: text });
    if (this.#recentErrors.length > RECENT_ERRORS) this.#recentErrors.shift();
  }

  #countAnswer(tokens: number, answer: { finished: boolean; milliseconds: number }): void {
    this.#tokensServed += tokens;
    if (!answer.finished || tokens === 0) return;
    this.#recentAnswers.push({ tokens, milliseconds: answer.milliseconds });
    if (this.#recentAnswers.length > RECENT_ANSWERS) this.#recentAnswers.shift();
  }
}
