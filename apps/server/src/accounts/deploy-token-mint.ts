import { DEPLOY_TOKEN_TTL_SECONDS } from '@infernet/protocol';
import type { ServerDependencies } from '../context';
import { createDeployTokenSecret } from './deploy-token-secret';

/** A freshly minted deploy token: `token` exists only here, the database keeps its hash. */
export interface MintedDeployToken {
  id: string;
  label: string;
  token: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Mints a deploy token for `accountId`, valid for DEPLOY_TOKEN_TTL_SECONDS
 * from the server's clock. The dashboard's `POST /api/deploy/tokens` and a
 * one-click launch (label `runpod:<pod name>`) both come through here.
 */
export async function mintDeployToken(
  dependencies: Pick<ServerDependencies, 'db' | 'now'>,
  accountId: string,
  label: string,
): Promise<MintedDeployToken> {
  const secret = createDeployTokenSecret();
  const createdAt = new Date(dependencies.now());
  const record = await dependencies.db.deployTokens.create({
    accountId,
    label,
    tokenHash: secret.hash,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + DEPLOY_TOKEN_TTL_SECONDS * 1000),
  });
  return {
    id: record.id,
    label: record.label,
    token: secret.token,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
  };
}
