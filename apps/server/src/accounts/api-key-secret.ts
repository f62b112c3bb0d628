import { createHash, randomBytes } from 'node:crypto';

/** Every key starts with this, so a Bearer value can be told apart from a job's stream token. */
export const API_KEY_PREFIX = 'inf_';

/** How much of a key its owner sees in listings: the prefix and 8 random characters. */
const SHOWN_CHARACTERS = API_KEY_PREFIX.length + 8;

/** 256 random bits, base64url, after the prefix. Returned once; only the hash is kept. */
export function createApiKeySecret(): { key: string; hash: string; prefix: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, SHOWN_CHARACTERS) };
}

/** SHA-256 is enough here: the key has 256 bits of entropy, so nothing is gained by a slow hash. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX);
}
