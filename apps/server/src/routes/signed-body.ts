import type { Context } from 'hono';
import { parseJson } from '@infernet/protocol';
import type { z } from 'zod';
import type { AppEnv } from '../context';

/** Parses a node request's signed body; an empty body counts as `{}` so bodiless calls still validate. */
export function signedBody<Schema extends z.ZodType>(
  context: Context<AppEnv>,
  schema: Schema,
): z.output<Schema> {
  const raw = context.get('rawBody');
  return parseJson(raw.trim() === '' ? '{}' : raw, schema);
}
