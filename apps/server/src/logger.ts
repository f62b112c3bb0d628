import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout. Redaction is a second line of defence: handlers never
 * log headers, bodies or prompts in the first place.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'infernet-server' },
    redact: {
      paths: ['req.headers', 'headers', 'authorization', '*.authorization', 'messages', 'prompt'],
      remove: true,
    },
  });
}
