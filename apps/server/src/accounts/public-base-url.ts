import type { Context } from 'hono';
import type { AppEnv, ServerDependencies } from '../context';

/**
 * The address nodes reach this control plane at: INFERNET_PUBLIC_URL when it
 * is set, else the origin this request was made to (right when nothing
 * rewrites it on the way; set INFERNET_PUBLIC_URL behind a proxy).
 */
export function publicBaseUrl(
  dependencies: Pick<ServerDependencies, 'publicUrl'>,
  context: Context<AppEnv>,
): string {
  return (dependencies.publicUrl ?? new URL(context.req.url).origin).replace(/\/+$/, '');
}
