import { z } from 'zod';

/**
 * The daemon's local control protocol: one JSON object per line over the
 * Unix socket in the config directory (mode 0600, so only this user).
 *
 * Request:  `{"id":1,"command":"status"}` (`id` is optional and echoed).
 * Response: `{"id":1,"ok":true,"data":{…}}` or
 *           `{"id":1,"ok":false,"error":{"code":"UNKNOWN_COMMAND","message":"…"}}`.
 *
 * Lines are bounded both ways; a malformed line or an unknown command gets
 * an error answer and the connection stays usable, an oversized line gets an
 * error answer and the connection is closed. Nothing a client sends can stop
 * the daemon except `shutdown`.
 */
export const IPC_PROTOCOL_VERSION = 1;
/** Longest request line the daemon reads, newline excluded. */
export const MAX_REQUEST_LINE_BYTES = 16 * 1024;
/** Longest response line a client reads; a status lists at most a few dozen jobs. */
export const MAX_RESPONSE_LINE_BYTES = 1024 * 1024;

export const IPC_COMMANDS = ['ping', 'status', 'stats', 'shutdown'] as const;
export type IpcCommand = (typeof IPC_COMMANDS)[number];

const RequestIdSchema = z.union([z.string().max(64), z.number().int()]);

export const IpcRequestSchema = z.object({
  id: RequestIdSchema.optional(),
  command: z.string().min(1).max(64),
});
export type IpcRequest = z.infer<typeof IpcRequestSchema>;

export const IpcErrorCodeSchema = z.enum([
  'BAD_REQUEST',
  'LINE_TOO_LONG',
  'UNKNOWN_COMMAND',
  'INTERNAL',
]);
export type IpcErrorCode = z.infer<typeof IpcErrorCodeSchema>;

export const IpcResponseSchema = z.discriminatedUnion('ok', [
  z.object({ id: RequestIdSchema.optional(), ok: z.literal(true), data: z.unknown() }),
  z.object({
    id: RequestIdSchema.optional(),
    ok: z.literal(false),
    error: z.object({ code: IpcErrorCodeSchema, message: z.string() }),
  }),
]);
export type IpcResponse = z.infer<typeof IpcResponseSchema>;

export const PingDataSchema = z.object({
  pong: z.literal(true),
  pid: z.number().int(),
  version: z.string(),
  protocol: z.number().int(),
});

export const RunningJobSchema = z.object({
  id: z.string(),
  type: z.string(),
  model: z.string(),
  elapsedSeconds: z.number(),
});

export const P2pStatusSchema = z.object({
  enabled: z.boolean(),
  port: z.number().int().nullable(),
  advertised: z.boolean(),
});

export const RecentErrorSchema = z.object({
  at: z.string(),
  message: z.string(),
});

export const StatusDataSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  nodeId: z.string(),
  name: z.string(),
  controlPlaneUrl: z.string(),
  /** Whether the control plane accepted this node's registration since the daemon started. */
  registered: z.boolean(),
  /** Whether the last call to the control plane got an answer; null before the first one. */
  connected: z.boolean().nullable(),
  lastContactAt: z.string().nullable(),
  /** Shutting down: no new jobs, running ones finish. */
  draining: z.boolean(),
  maxConcurrentJobs: z.number().int(),
  jobs: z.array(RunningJobSchema),
  /** Where the daemon logs; null when it logs to its terminal (`--foreground`). */
  logFile: z.string().nullable(),
  /**
   * The P2P listener: `port` is the port listened on, null when P2P is off
   * (`--no-p2p`) or the port could not be opened; `advertised` is whether the
   * node publishes it. Optional: a daemon of an earlier version omits it.
   */
  p2p: P2pStatusSchema.optional(),
  /** The latest failures (control-plane calls, failed jobs), newest last; optional as `p2p`. */
  recentErrors: z.array(RecentErrorSchema).optional(),
});

export const StatsDataSchema = z.object({
  uptimeSeconds: z.number(),
  jobs: z.object({
    running: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
  }),
  tokens: z.object({
    /** Completion tokens generated since the daemon started. */
    served: z.number().int(),
    /** Tokens per second over the most recent finished answers; null before the first. */
    perSecondRecent: z.number().nullable(),
  }),
  /** What the control plane reports this node earned; null while it reports nothing to nodes. */
  earnings: z.object({ amount: z.string(), currency: z.string() }).nullable(),
});

export const ShutdownDataSchema = z.object({
  draining: z.literal(true),
  pid: z.number().int(),
  runningJobs: z.number().int(),
  drainTimeoutSeconds: z.number(),
});

export type PingData = z.infer<typeof PingDataSchema>;
export type StatusData = z.infer<typeof StatusDataSchema>;
export type StatsData = z.infer<typeof StatsDataSchema>;
export type ShutdownData = z.infer<typeof ShutdownDataSchema>;
export type RunningJobInfo = z.infer<typeof RunningJobSchema>;
export type P2pStatus = z.infer<typeof P2pStatusSchema>;
export type RecentError = z.infer<typeof RecentErrorSchema>;

export interface IpcCommandData {
  ping: PingData;
  status: StatusData;
  stats: StatsData;
  shutdown: ShutdownData;
}

export const IPC_DATA_SCHEMAS: { [Command in IpcCommand]: z.ZodType<IpcCommandData[Command]> } = {
  ping: PingDataSchema,
  status: StatusDataSchema,
  stats: StatsDataSchema,
  shutdown: ShutdownDataSchema,
};

export function isIpcCommand(value: string): value is IpcCommand {
  return (IPC_COMMANDS as readonly string[]).includes(value);
}

/** Parses a JSON line without trusting it; never throws. */
export function parseJsonLine(
  line: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

export function encodeLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/**
 * Splits a byte stream into lines of at most `maxBytes` each. Once a line
 * grows past the limit, `push` reports `overflow` and the reader is done:
 * the caller answers and closes, rather than buffering without bound.
 */
export class LineReader {
  readonly #maxBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #overflowed = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get overflowed(): boolean {
    return this.#overflowed;
  }

  push(chunk: Buffer): { lines: string[]; overflow: boolean } {
    const lines: string[] = [];
    if (this.#overflowed) return { lines, overflow: true };
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      if (this.#pendingBytes + piece.length > this.#maxBytes) return this.#overflow(lines);
      lines.push(
        Buffer.concat([...this.#pending, piece])
          .toString('utf8')
          .replace(/\r$/, ''),
      );
      this.#pending = [];
      this.#pendingBytes = 0;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (this.#pendingBytes + rest.length > this.#maxBytes) return this.#overflow(lines);
    if (rest.length > 0) {
      this.#pending.push(rest);
      this.#pendingBytes += rest.length;
    }
    return { lines, overflow: false };
  }

  #overflow(lines: string[]): { lines: string[]; overflow: true } {
    this.#overflowed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    return { lines, overflow: true };
  }
}
