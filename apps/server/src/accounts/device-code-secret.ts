import { createHash, randomBytes } from 'node:crypto';
import { USER_CODE_ALPHABET, USER_CODE_LENGTH } from '@infernet/protocol';

/** The secret a node polls with: 256 random bits, base64url. Only its hash is kept. */
export function createDeviceCode(): { deviceCode: string; hash: string } {
  const deviceCode = randomBytes(32).toString('base64url');
  return { deviceCode, hash: hashDeviceCode(deviceCode) };
}

export function hashDeviceCode(deviceCode: string): string {
  return createHash('sha256').update(deviceCode, 'utf8').digest('hex');
}

/**
 * What the operator types: 8 characters of a 32-character alphabet (40
 * bits). Each random byte's low 5 bits pick one, so every character is
 * equally likely.
 */
export function createUserCode(): string {
  return Array.from(
    randomBytes(USER_CODE_LENGTH),
    (byte) => USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length]!,
  ).join('');
}
