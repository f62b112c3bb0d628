import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: unguessable and header-safe. */
export function createLeaseToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLeaseToken(token) };
}

/** What the jobs row stores and what a presented token is compared against. */
export function hashLeaseToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
