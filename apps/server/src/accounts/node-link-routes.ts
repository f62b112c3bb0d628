import { Hono } from 'hono';
import { InfernetError } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { nodeAuth } from '../middleware/node-auth';
import { requireSession } from './caller';
import { deployTokenBearer, requireDeployToken } from './deploy-token-auth';
import { addDeviceNodeRoutes } from './device-node-routes';

/**
 * Links a node to an account. Two proofs are needed in one request: the
 * node's key signs it (X-Infernet-Auth), and either the operator's session
 * cookie or a deploy token of the account (`Authorization: Bearer infd_…`)
 * rides along, so neither a stolen cookie nor a node alone can claim a node
 * for an account. The node's device sign-in routes share the signature check.
 */
export function nodeLinkRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();
  routes.use('*', nodeAuth(dependencies));

  routes.post('/link', async (context) => {
    const grant = deployTokenBearer(context)
      ? await requireDeployToken(dependencies, context)
      : undefined;
    const accountId = grant?.accountId ?? (await requireSession(dependencies, context)).accountId;
    const result = await db.accounts.linkProvider(context.get('publicKey'), accountId);
    if (!result.ok) {
      throw result.reason === 'not_registered'
        ? new InfernetError('NODE_NOT_REGISTERED', 'Register the node before linking it.')
        : new InfernetError('FORBIDDEN', 'This node is linked to another account.');
    }
    if (grant) {
      await db.deployTokens.recordLink(
        grant.tokenId,
        result.providerId,
        new Date(dependencies.now()),
      );
    }
    return context.json({ data: { id: result.providerId, account_id: accountId } });
  });

  addDeviceNodeRoutes(routes, dependencies);

  return routes;
}
