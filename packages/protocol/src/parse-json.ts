import type { z } from 'zod';
import { InfernetError } from './errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/**
 * Text that cannot hold a forbidden key: none of the words, and no `\u`
 * escape that could spell one. Such text skips the reviver, which makes
 * JSON.parse several times slower and runs on every token batch.
 */
const MAY_HOLD_FORBIDDEN_KEY = /__proto__|constructor|prototype|\\u/;

/**
 * Parses untrusted JSON text and validates it. Keys that could poison
 * prototypes are refused outright rather than silently dropped, so a hostile
 * body cannot change meaning between us and another parser.
 */
export function parseJson<Schema extends z.ZodType>(
  text: string,
  schema: Schema,
): z.output<Schema> {
  let value: unknown;
  try {
    value = MAY_HOLD_FORBIDDEN_KEY.test(text)
      ? JSON.parse(text, (key, item: unknown) => {
          if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`forbidden key "${key}"`);
          return item;
        })
      : JSON.parse(text);
  } catch (error) {
    throw new InfernetError('BAD_REQUEST', 'The body is not valid JSON.', { cause: error });
  }
  return parseValue(value, schema);
}

/** Validates an already-parsed value, turning schema failures into BAD_REQUEST with the paths that failed. */
export function parseValue<Schema extends z.ZodType>(
  value: unknown,
  schema: Schema,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    const summary = issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; ');
    throw new InfernetError('BAD_REQUEST', `Invalid request: ${summary}`, { details: { issues } });
  }
  return result.data;
}
