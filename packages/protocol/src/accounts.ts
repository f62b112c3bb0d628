import { z } from 'zod';

/**
 * Consumer accounts: email-and-password sign-up and sign-in (session
 * cookies, for the dashboard) and API keys (`Authorization: Bearer …`, for
 * programs). The account bodies are those of the auth library (better-auth),
 * which is why they are camelCase.
 */

/** Passwords longer than this are refused before any hashing work is spent on them. */
export const MAX_PASSWORD_LENGTH = 128;
export const MIN_PASSWORD_LENGTH = 8;

const EmailSchema = z.email({ message: 'email must be an email address' }).max(254);
const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const SignUpRequestSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  /** Shown in the dashboard; defaults to the part of the email before the `@`. */
  name: z.string().trim().min(1).max(100).optional(),
});
export type SignUpRequest = z.infer<typeof SignUpRequestSchema>;

export const SignInRequestSchema = z.strictObject({
  email: EmailSchema,
  // Any length up to the cap: a password set under older rules must still sign in.
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  /** False: the session cookie ends with the browser session. */
  rememberMe: z.boolean().optional(),
});
export type SignInRequest = z.infer<typeof SignInRequestSchema>;

export const AccountSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  emailVerified: z.boolean(),
  image: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Account = z.infer<typeof AccountSchema>;

/** Sign-up and sign-in: the session is in the `Set-Cookie` header. */
export const SignInResponseSchema = z.object({
  token: z.string().nullable(),
  user: AccountSchema,
});

export const SessionResponseSchema = z
  .object({
    session: z.object({ id: z.string(), expiresAt: z.string(), userId: z.string() }),
    user: AccountSchema,
  })
  .nullable();

export const SignOutResponseSchema = z.object({ success: z.boolean() });

export const CreateApiKeyRequestSchema = z.strictObject({
  /** A label for the owner, e.g. "laptop" or "ci". */
  name: z.string().trim().min(1).max(100).default('default'),
});

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The key's first characters, to tell keys apart; not usable on its own. */
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** The only time the key itself is shown: it is stored hashed. */
export const CreatedApiKeySchema = ApiKeySchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ApiKeyResponseSchema = z.object({ data: CreatedApiKeySchema });
export const ApiKeyListResponseSchema = z.object({ data: z.array(ApiKeySchema) });
export const RevokeApiKeyResponseSchema = z.object({
  data: z.object({ id: z.string(), revoked: z.literal(true) }),
});

export const LinkNodeResponseSchema = z.object({
  data: z.object({ id: z.string(), account_id: z.string() }),
});
