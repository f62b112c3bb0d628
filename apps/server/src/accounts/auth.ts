import { betterAuth } from 'better-auth';
import type { Dialect } from '@infernet/db';
import type { Logger } from '../logger';

/** The header the auth routes set from the socket address, so clients cannot choose their own. */
export const CLIENT_IP_HEADER = 'x-infernet-client-ip';

export interface AuthOptions {
  /** Kysely dialect over the server's own database connections. */
  dialect: Dialect;
  /** Signs session cookies; at least 32 characters. */
  secret: string;
  /** The public origin, e.g. `https://infernet.example`; used to build URLs and trusted for CSRF. */
  baseUrl: string;
  logger: Logger;
  /** Per-IP limits on sign-in and sign-up, kept in the database so every server copy shares them. */
  rateLimit?: boolean;
}

/*
 * better-auth's models mapped onto the tables of migration 0004 (snake_case,
 * and `user` → `accounts`, since `user` is reserved in SQL). The migration is
 * the only schema source: better-auth never creates or alters tables here, and
 * its start-up schema check fails loudly if the two ever drift apart.
 */
const TIMESTAMPS = { createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/**
 * Email-and-password accounts and cookie sessions, through better-auth: it
 * hashes passwords (scrypt) and issues, signs and expires sessions; nothing
 * here does either by hand.
 */
export function createAuth(options: AuthOptions) {
  const { logger } = options;
  return betterAuth({
    appName: 'Infernet',
    baseURL: options.baseUrl,
    basePath: '/api/auth',
    secret: options.secret,
    database: { dialect: options.dialect, type: 'postgres', transaction: true },
    telemetry: { enabled: false },
    emailAndPassword: { enabled: true, autoSignIn: true, minPasswordLength: 8 },
    // The dashboard is served by the same origin; a request's own origin is trusted, no other.
    trustedOrigins: (request) => [
      options.baseUrl,
      request ? new URL(request.url).origin : undefined,
    ],
    user: {
      modelName: 'accounts',
      fields: { emailVerified: 'email_verified', ...TIMESTAMPS },
    },
    session: {
      modelName: 'account_sessions',
      fields: {
        userId: 'account_id',
        expiresAt: 'expires_at',
        ipAddress: 'ip_address',
        userAgent: 'user_agent',
        ...TIMESTAMPS,
      },
    },
    account: {
      modelName: 'account_credentials',
      fields: {
        userId: 'account_id',
        accountId: 'provider_account_id',
        providerId: 'provider_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        ...TIMESTAMPS,
      },
    },
    verification: {
      modelName: 'account_verifications',
      fields: { expiresAt: 'expires_at', ...TIMESTAMPS },
    },
    rateLimit: {
      enabled: options.rateLimit ?? true,
      storage: 'database',
      modelName: 'auth_rate_limits',
      fields: { lastRequest: 'last_request' },
    },
    advanced: {
      cookiePrefix: 'infernet',
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    // Messages only: better-auth's extra arguments may carry request data.
    logger: {
      log: (level, message) => {
        if (level === 'error') logger.error(`auth: ${message}`);
        else if (level === 'warn') logger.warn(`auth: ${message}`);
        else logger.debug(`auth: ${message}`);
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
