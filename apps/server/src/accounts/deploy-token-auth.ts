import type { Context } from 'hono';
import { InfernetError } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { bearerToken } from './caller';
import { hashDeployToken, looksLikeDeployToken } from './deploy-token-secret';

/** Tokens longer than this are not ours; refusing them early spares a hash and a query. */
const MAX_DEPLOY_TOKEN_LENGTH = 128;

/** The request's `Authorization: Bearer infd_…` value, if it carries a deploy token. */
export function deployTokenBearer(context: Context<AppEnv>): string | undefined {
  const bearer = bearerToken(context);
  return bearer && looksLikeDeployToken(bearer) ? bearer : undefined;
}

/** What a live deploy token proves: the account it acts for. */
export interface DeployTokenGrant {
  token: string;
  tokenId: string;
  accountId: string;
}

/**
 * The request's live deploy token, noting its use. An unknown, expired or
 * revoked token gets one answer, which never repeats the token.
 */
export async function requireDeployToken(
  dependencies: Pick<ServerDependencies, 'db' | 'now'>,
  context: Context<AppEnv>,
): Promise<DeployTokenGrant> {
  const token = deployTokenBearer(context);
  if (!token) {
    throw new InfernetError(
      'AUTH_MISSING',
      'This needs a deploy token (Authorization: Bearer infd_…) from the dashboard.',
    );
  }
  const found =
    token.length <= MAX_DEPLOY_TOKEN_LENGTH
      ? await dependencies.db.deployTokens.use(hashDeployToken(token), new Date(dependencies.now()))
      : null;
  if (!found) {
    throw new InfernetError(
      'DEPLOY_TOKEN_INVALID',
      'This deploy token is unknown, expired or revoked; create a new one in the dashboard.',
    );
  }
  return { token, ...found };
}
