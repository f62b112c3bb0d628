import type { MiddlewareHandler } from 'hono';
import { bearerToken, MAX_API_KEY_LENGTH } from '../accounts/caller';
import { hashApiKey, looksLikeApiKey } from '../accounts/api-key-secret';
import type { AppEnv, ServerDependencies } from '../context';
import { apiKeyIdentity } from '../limits/identity';

/**
 * Consumer limits count an API key's requests, not its address's: two keys
 * behind one NAT keep their own budgets, and one key is held to its budget
 * from any address. Runs before the limits; a Bearer value that is not a
 * known key (a stream token, a revoked key) leaves the address as the
 * identity, and the handler answers it as it would have (401 for a bad key).
 * The key found is kept on the context, so the handler does not look it up again.
 */
export function identifyApiKeys(
  dependencies: Pick<ServerDependencies, 'db'>,
): MiddlewareHandler<AppEnv> {
  return async function identifyApiKeysMiddleware(context, next) {
    const bearer = bearerToken(context);
    if (bearer && looksLikeApiKey(bearer) && bearer.length <= MAX_API_KEY_LENGTH) {
      const found = await dependencies.db.accounts.findApiKey(hashApiKey(bearer));
      if (found) {
        context.set('apiKey', found);
        context.set('consumerIdentity', apiKeyIdentity(found.keyId));
      }
    }
    await next();
  };
}
