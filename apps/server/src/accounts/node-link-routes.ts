import { Hono } from 'hono';
import { InfernetError } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { nodeAuth } from '../middleware/node-auth';
import { requireSession } from './caller';

/**
 * Links a node to the signed-in operator's account. Both proofs are needed in
 * one request: the node's key signs it (X-Infernet-Auth) and the operator's
 * session cookie rides along, so neither a stolen cookie nor a node alone can
 * claim a node for an account.
 */
export function nodeLinkRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();
  routes.use('*', nodeAuth(dependencies));

  routes.post('/link', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const result = await db.accounts.linkProvider(context.get('publicKey'), accountId);
    if (!result.ok) {
      throw result.reason === 'not_registered'
        ? new InfernetError('NODE_NOT_REGISTERED', 'Register the node before linking it.')
        : new InfernetError('FORBIDDEN', 'This node is linked to another account.');
    }
    return context.json({ data: { id: result.providerId, account_id: accountId } });
  });

  return routes;
}
