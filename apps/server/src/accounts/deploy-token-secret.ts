import { createHash, randomBytes } from 'node:crypto';
import { DEPLOY_TOKEN_PREFIX } from '@infernet/protocol';

/** 256 random bits, base64url, after the prefix. Returned once; only the hash is kept. */
export function createDeployTokenSecret(): { token: string; hash: string } {
  const token = DEPLOY_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashDeployToken(token) };
}

/** SHA-256, as for API keys: the token has 256 bits of entropy, so a slow hash adds nothing. */
export function hashDeployToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeDeployToken(value: string): boolean {
  return value.startsWith(DEPLOY_TOKEN_PREFIX);
}
