import type { Logger } from '../output';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/**
 * Test support only: a logger that keeps every line, and `logged` resolves
 * once a line with that message (past or future) appears, so tests wait for
 * what happened instead of for time to pass.
 */
export function recordingLogger() {
  const lines: LogLine[] = [];
  const waiters: { message: string; resolve: (line: LogLine) => void }[] = [];
  const log = (level: LogLine['level']) => (fields: object, message: string) => {
    const line = { level, fields: fields as Record<string, unknown>, message };
    lines.push(line);
    for (const waiter of waiters.filter((entry) => entry.message === message)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  const logged = (message: string): Promise<LogLine> => {
    const seen = lines.find((line) => line.message === message);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ message, resolve }));
  };
  return { logger, lines, logged };
}
