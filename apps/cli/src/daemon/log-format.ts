import { parseJsonLine } from './ipc-protocol';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields every line has, shown in the prefix or not at all. */
const PREFIX_FIELDS = new Set(['time', 'level', 'msg', 'pid', 'hostname']);

/**
 * One pino JSON line as a human reads it:
 * `2025-01-01 12:00:00  INFO  node ready  nodeId=node-ab12 models=["llama3"]`.
 * Anything that is not a pino line (a crash message on stderr) is shown as is.
 */
export function formatLogLine(line: string): string {
  const parsed = parseJsonLine(line);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return line;
  const record = parsed.value as Record<string, unknown>;
  if (typeof record.msg !== 'string') return line;
  const time =
    typeof record.time === 'string' ? record.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '';
  const level =
    typeof record.level === 'number' ? (LEVEL_NAMES[record.level] ?? String(record.level)) : '';
  const fields = Object.entries(record)
    .filter(([key]) => !PREFIX_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [time, level.padEnd(5), record.msg, ...fields].filter(Boolean).join('  ');
}
