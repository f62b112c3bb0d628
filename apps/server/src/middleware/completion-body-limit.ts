import type { MiddlewareHandler } from 'hono';
import { parseEnvelopeHeader } from '@infernet/auth';
import {
  AUTH_HEADER_NAME,
  DEFAULT_BODY_LIMIT_BYTES,
  InfernetError,
  REPLAY_WINDOW_SECONDS,
} from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';

const JOB_ID_IN_PATH = /\/jobs\/([^/]+)\/complete$/;

/**
 * A node's `complete` may exceed the default body limit, because it carries
 * an embedding job's vectors. Before the server reads more than the default
 * allows, this checks cheaply that the body can be genuine: a well-formed,
 * fresh envelope from the provider that holds this job, an embedding job.
 * A stated length over the default from anyone else gets 413 before a byte
 * is read; a body of unstated length gets the default limit. So the larger
 * limit cannot make the server buffer megabytes for strangers. The
 * signature itself is verified afterwards, as on every node route, over the
 * body once it is read.
 */
export function limitCompletionBodies(
  dependencies: Pick<ServerDependencies, 'db' | 'now'>,
  limits: { usual: MiddlewareHandler<AppEnv>; large: MiddlewareHandler<AppEnv> },
): MiddlewareHandler<AppEnv> {
  return async function limitCompletionBodiesMiddleware(context, next) {
    const length = context.req.header('content-length');
    const stated =
      length !== undefined && context.req.header('transfer-encoding') === undefined
        ? Number(length)
        : undefined;
    if (stated !== undefined && stated <= DEFAULT_BODY_LIMIT_BYTES) {
      return limits.usual(context, next);
    }
    if (await mayBeLarge(context.req.header(AUTH_HEADER_NAME), context.req.path)) {
      return limits.large(context, next);
    }
    if (stated === undefined) return limits.usual(context, next);
    throw new InfernetError(
      'PAYLOAD_TOO_LARGE',
      `Bodies are limited to ${DEFAULT_BODY_LIMIT_BYTES} bytes; only the node holding an embedding job may send more with its completion.`,
    );
  };

  async function mayBeLarge(header: string | undefined, path: string): Promise<boolean> {
    const parsed = parseEnvelopeHeader(header);
    if (!parsed.ok) return false;
    const age = Math.abs(dependencies.now() / 1000 - parsed.envelope.created_at);
    if (age > REPLAY_WINDOW_SECONDS) return false;
    const jobId = JOB_ID_IN_PATH.exec(path)?.[1];
    if (jobId === undefined) return false;
    const [job, provider] = await Promise.all([
      dependencies.db.jobs.findById(jobId),
      dependencies.db.providers.findByPublicKey(parsed.envelope.pubkey),
    ]);
    return (
      job !== null &&
      provider !== null &&
      job.type === 'embedding' &&
      job.providerId === provider.id &&
      (job.status === 'assigned' || job.status === 'running')
    );
  }
}
