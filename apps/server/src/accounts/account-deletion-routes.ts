import { Hono } from 'hono';
import { DeleteAccountRequestSchema, InfernetError, parseJson } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { requireSession } from './caller';

/**
 * Deletes the signed-in account for good: sign-in, sessions, API keys and
 * deploy tokens go; its nodes are unlinked and keep running; the prompts
 * and outputs of its jobs are deleted, their metadata stays with no owner.
 * Only a session may do it, and the body must spell out `"DELETE"`; the
 * answer clears the session cookie.
 */
export function accountDeletionRoutes(dependencies: ServerDependencies) {
  const { auth, db, logger } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.delete('/', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    parseJson(await context.req.text(), DeleteAccountRequestSchema);
    const result = await db.accounts.deleteAccount(accountId);
    if (!result.deleted) throw new InfernetError('NOT_FOUND', 'This account no longer exists.');
    logger.info(
      {
        requestId: context.get('requestId'),
        cancelledJobs: result.cancelledJobIds.length,
        purgedJobs: result.purgedJobs,
        unlinkedNodes: result.unlinkedNodes,
      },
      'account deleted',
    );
    // The session row went with the account; signing out as well makes the
    // browser drop the cookie rather than keep sending a dead one.
    const signedOut = await auth.api.signOut({
      headers: context.req.raw.headers,
      returnHeaders: true,
    });
    for (const cookie of signedOut.headers.getSetCookie()) {
      context.header('Set-Cookie', cookie, { append: true });
    }
    return context.json({ data: { deleted: true as const } });
  });

  return routes;
}
