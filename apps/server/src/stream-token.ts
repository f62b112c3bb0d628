import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: unguessable, URL-safe for EventSource query strings. */
export function createStreamToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashStreamToken(token) };
}

export function hashStreamToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented token against the stored hash. */
export function streamTokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashStreamToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
