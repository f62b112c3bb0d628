/**
 * Conversions between driver values and the records of `types.ts`. The two
 * drivers disagree: node-postgres returns bigint and numeric columns as
 * strings, PGlite returns bigint as a number and numeric as a string.
 */

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'bigint') return Number(value);
  throw new TypeError(`expected a numeric column value, got ${typeof value}`);
}

export function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') return new Date(value);
  throw new TypeError(`expected a timestamp column value, got ${typeof value}`);
}

export function toNullableDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids arrive from URL paths; anything that is not a UUID cannot name a row,
 * and passing it on would make Postgres raise instead of finding nothing.
 */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/**
 * `\u0000` and unpaired surrogates are valid in JavaScript strings but jsonb
 * rejects them, which would turn one odd token from a node into a server
 * error. JSON.stringify writes both as escapes (paired surrogates are written
 * as the characters themselves), so they are replaced by U+FFFD in its output;
 * an even run of backslashes before the escape means it is not itself escaped.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/** Serialises a value for a `$n::text::jsonb` parameter. */
export function toJsonParameter(value: unknown): string {
  return JSON.stringify(value).replace(UNSTORABLE_ESCAPE, '$1\\ufffd');
}

/** Text columns reject NUL for the same reason. */
export function toTextParameter(value: string): string {
  return value.replaceAll('\u0000', '\ufffd');
}
