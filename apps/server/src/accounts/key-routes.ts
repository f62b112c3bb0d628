import { Hono } from 'hono';
import {
  CreateApiKeyRequestSchema,
  InfernetError,
  parseJson,
  type ApiKey,
  type CreatedApiKey,
} from '@infernet/protocol';
import type { ApiKeyRecord } from '@infernet/db';
import type { AppEnv, ServerDependencies } from '../context';
import { createApiKeySecret } from './api-key-secret';
import { requireSession } from './caller';

function toApiKey(record: ApiKeyRecord): ApiKey {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    created_at: record.createdAt.toISOString(),
    last_used_at: record.lastUsedAt?.toISOString() ?? null,
  };
}

/**
 * API keys of the signed-in account: create (the key is in this one
 * response and stored only as its hash), list (never the key), revoke.
 * Managed from a dashboard session, not with a key.
 */
export function keyRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.post('/', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const text = await context.req.text();
    const request = parseJson(text.trim() === '' ? '{}' : text, CreateApiKeyRequestSchema);
    const secret = createApiKeySecret();
    const record = await db.accounts.createApiKey({
      accountId,
      name: request.name,
      prefix: secret.prefix,
      keyHash: secret.hash,
    });
    const created: CreatedApiKey = { ...toApiKey(record), key: secret.key };
    context.header('Cache-Control', 'no-store');
    return context.json({ data: created }, 201);
  });

  routes.get('/', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const keys = await db.accounts.listApiKeys(accountId);
    return context.json({ data: keys.map(toApiKey) });
  });

  routes.delete('/:keyId', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const keyId = context.req.param('keyId');
    if (!(await db.accounts.revokeApiKey(accountId, keyId))) {
      throw new InfernetError('NOT_FOUND', 'This account has no such API key.');
    }
    return context.json({ data: { id: keyId, revoked: true as const } });
  });

  return routes;
}
