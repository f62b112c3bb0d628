import type { Context } from 'hono';
import { z } from 'zod';
import { InfernetError } from '@infernet/protocol';
import type { AppEnv } from '../context';

const JobIdSchema = z.uuid();

/** A malformed id cannot name a job; answering 404 early keeps it away from the database. */
export function jobIdParameter(context: Context<AppEnv>): string {
  const parsed = JobIdSchema.safeParse(context.req.param('jobId'));
  if (!parsed.success) throw new InfernetError('JOB_NOT_FOUND', 'No such job.');
  return parsed.data;
}
