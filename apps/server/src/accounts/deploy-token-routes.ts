import { Hono } from 'hono';
import {
  CreateDeployTokenRequestSchema,
  InfernetError,
  parseJson,
  type CreatedDeployToken,
  type DeployToken,
  type DeployTokenStatus,
} from '@infernet/protocol';
import type { DeployTokenRecord } from '@infernet/db';
import type { AppEnv, ServerDependencies } from '../context';
import { requireSession } from './caller';
import { mintDeployToken, type MintedDeployToken } from './deploy-token-mint';

function statusOf(record: DeployTokenRecord, now: number): DeployTokenStatus {
  if (record.revokedAt) return 'revoked';
  return record.expiresAt.getTime() <= now ? 'expired' : 'active';
}

function toDeployToken(record: DeployTokenRecord, now: number): DeployToken {
  return {
    id: record.id,
    label: record.label,
    created_at: record.createdAt.toISOString(),
    expires_at: record.expiresAt.toISOString(),
    revoked_at: record.revokedAt?.toISOString() ?? null,
    last_used_at: record.lastUsedAt?.toISOString() ?? null,
    nodes_linked: record.nodesLinked,
    status: statusOf(record, now),
  };
}

export function toCreatedDeployToken(minted: MintedDeployToken): CreatedDeployToken {
  return {
    id: minted.id,
    label: minted.label,
    token: minted.token,
    created_at: minted.createdAt.toISOString(),
    expires_at: minted.expiresAt.toISOString(),
    status: 'active',
  };
}

/**
 * Deploy tokens of the signed-in account (mounted under `/api/deploy`):
 * create (the token is in this one response and stored only as its hash),
 * list (never the token), revoke. Managed from a dashboard session only: a
 * deploy token or an API key cannot mint more.
 */
export function deployTokenRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.post('/tokens', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const text = await context.req.text();
    const request = parseJson(text.trim() === '' ? '{}' : text, CreateDeployTokenRequestSchema);
    const minted = await mintDeployToken(dependencies, accountId, request.label);
    context.header('Cache-Control', 'no-store');
    return context.json({ data: toCreatedDeployToken(minted) }, 201);
  });

  routes.get('/tokens', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const now = dependencies.now();
    const tokens = await db.deployTokens.list(accountId);
    return context.json({ data: tokens.map((token) => toDeployToken(token, now)) });
  });

  routes.delete('/tokens/:tokenId', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const tokenId = context.req.param('tokenId');
    const revoked = await db.deployTokens.revoke(accountId, tokenId, new Date(dependencies.now()));
    if (!revoked) throw new InfernetError('NOT_FOUND', 'This account has no such deploy token.');
    return context.json({ data: { id: revoked.id, status: 'revoked' as const } });
  });

  return routes;
}
