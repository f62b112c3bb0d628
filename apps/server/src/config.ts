import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ABANDONED_STREAM_GRACE_SECONDS,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_QUEUE_DEADLINE_SECONDS,
  DEFAULT_QUEUE_MAX_PER_MODEL,
  DEFAULT_SERVER_PORT,
  LEASE_SWEEP_INTERVAL_MS,
  ModelNameSchema,
  NODE_LIVENESS_SECONDS,
} from '@infernet/protocol';
import { DEFAULT_RUNPOD_API_URL } from '@infernet/deploy-providers';
import { DEFAULT_PROMPT_RETENTION_HOURS } from './maintenance';
import {
  DEFAULT_LIMIT_SETTINGS,
  LIMIT_VARIABLES,
  LimitSettingsSchema,
  type LimitSettings,
} from './limits/limit-settings';
import { DEFAULT_NIM_API_URL, DEFAULT_NIM_MODEL } from './fallback/nim-fallback';
import { DEFAULT_PROVIDER_IMAGE } from './cloud-deploy';
import { ModelPricesSchema, PriceSchema } from './pricing';

/** `apps/web/out` of this checkout: where `npm run build:web` writes the dashboard. */
const DEFAULT_DASHBOARD_DIRECTORY = fileURLToPath(new URL('../../web/out', import.meta.url));

/** Open HTTP connections per server process (long polls and streams included). */
const DEFAULT_MAX_CONNECTIONS = 10_000;

const TRUST_PROXY_MESSAGE =
  'INFERNET_TRUST_PROXY must be the number of proxies in front of the server (0: none)';

const ConfigSchema = z.object({
  port: z.coerce
    .number({ message: 'PORT must be a number' })
    .int()
    .min(0, 'PORT must be 0-65535')
    .max(65535, 'PORT must be 0-65535'),
  host: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional(),
  dataDirectory: z.string().min(1),
  /** The dashboard's static export, served at `/` (INFERNET_DASHBOARD_DIR). */
  dashboardDirectory: z.string().min(1),
  databasePoolSize: z.coerce
    .number({ message: 'DATABASE_POOL_SIZE must be a number' })
    .int()
    .min(1, 'DATABASE_POOL_SIZE must be at least 1')
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  livenessSeconds: z.coerce.number().int().positive(),
  leaseSeconds: z.coerce.number().int().positive(),
  pricePerMillionTokens: PriceSchema,
  modelPrices: ModelPricesSchema,
  modelAliases: z.record(z.string().min(1), ModelNameSchema, {
    message:
      'INFERNET_MODEL_ALIASES must be a JSON object of model names, e.g. {"gpt-4o-mini":"llama3.2:1b"}',
  }),
  abandonedStreamGraceSeconds: z.coerce.number().int().min(0),
  limits: LimitSettingsSchema,
  trustedProxies: z.coerce
    .number({ message: TRUST_PROXY_MESSAGE })
    .int(TRUST_PROXY_MESSAGE)
    .min(0, TRUST_PROXY_MESSAGE),
  maxConnections: z.coerce
    .number({ message: 'INFERNET_MAX_CONNECTIONS must be a number' })
    .int()
    .min(1, 'INFERNET_MAX_CONNECTIONS must be at least 1'),
  maintenanceIntervalMs: z.coerce
    .number({ message: 'INFERNET_LEASE_SWEEP_INTERVAL_MS must be a number of milliseconds' })
    .int()
    .min(50, 'INFERNET_LEASE_SWEEP_INTERVAL_MS must be at least 50'),
  promptRetentionHours: z.coerce
    .number({ message: 'INFERNET_PROMPT_RETENTION_HOURS must be a number of hours' })
    .min(0, 'INFERNET_PROMPT_RETENTION_HOURS must be 0 or more'),
  authSecret: z
    .string()
    .min(32, 'INFERNET_AUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)')
    .optional(),
  queueMaxPerModel: z.coerce
    .number({ message: 'INFERNET_QUEUE_MAX_PER_MODEL must be a number of jobs' })
    .int('INFERNET_QUEUE_MAX_PER_MODEL must be a whole number of jobs')
    .min(1, 'INFERNET_QUEUE_MAX_PER_MODEL must be at least 1'),
  queueDeadlineSeconds: z.coerce
    .number({ message: 'INFERNET_QUEUE_DEADLINE_SECONDS must be a number of seconds' })
    .int('INFERNET_QUEUE_DEADLINE_SECONDS must be a whole number of seconds')
    .min(1, 'INFERNET_QUEUE_DEADLINE_SECONDS must be at least 1'),
  /** Unset key: no fallback; requests no node can take get the honest refusal. */
  nim: z.object({
    apiKey: z.string().min(1).optional(),
    apiUrl: z.url({
      protocol: /^https?$/,
      message:
        'NVIDIA_NIM_API_URL must be an http(s) URL such as https://integrate.api.nvidia.com/v1',
    }),
    defaultModel: ModelNameSchema,
  }),
  publicUrl: z
    .url({
      protocol: /^https?$/,
      message: 'INFERNET_PUBLIC_URL must be an http(s) URL such as https://infernet.example',
    })
    .optional(),
  /** One-click launches: the image a pod runs, and RunPod's API host (tests: a fake). */
  cloudDeploy: z.object({
    providerImage: z
      .string()
      .regex(
        /^[\w.:/@-]+$/,
        'INFERNET_PROVIDER_IMAGE must be an image reference such as ghcr.io/org/image:tag',
      ),
    runpodApiUrl: z.url({
      protocol: /^https?$/,
      message: 'INFERNET_RUNPOD_API_URL must be an http(s) URL such as https://api.runpod.io',
    }),
  }),
});
export type ServerConfig = Readonly<z.infer<typeof ConfigSchema>>;

/** A JSON-object setting; text that is not JSON fails the schema with a message naming it. */
function parseJsonSetting(raw: string | undefined, name: string): unknown {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return `${name} is not valid JSON`;
  }
}

/** Each limit from its variable (named in LIMIT_VARIABLES), or its default when unset. */
function limitSettingsInput(env: NodeJS.ProcessEnv) {
  const settings = Object.entries(LIMIT_VARIABLES).map(([setting, variable]) => [
    setting,
    env[variable] || DEFAULT_LIMIT_SETTINGS[setting as keyof LimitSettings],
  ]);
  return { rateLimits: env.INFERNET_RATE_LIMITS || 'on', ...Object.fromEntries(settings) };
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const index = argv.findIndex((argument) => argument === name || argument.startsWith(`${name}=`));
  if (index === -1) return undefined;
  const argument = argv[index] ?? '';
  return argument.includes('=') ? argument.slice(argument.indexOf('=') + 1) : argv[index + 1];
}

/** Where data lives when INFERNET_DATA_DIR is unset: `$XDG_DATA_HOME/infernet` (XDG base-directory spec). */
function defaultDataDirectory(env: NodeJS.ProcessEnv): string {
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'infernet');
}

/**
 * The one place the control plane reads its environment. Flags beat
 * environment variables; errors name the variable and the expected form.
 */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): ServerConfig {
  const result = ConfigSchema.safeParse({
    port: flagValue(argv, '--port') ?? env.PORT ?? DEFAULT_SERVER_PORT,
    host: flagValue(argv, '--host') ?? env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    // Set: wake-ups between server copies travel over Redis pub/sub instead of LISTEN/NOTIFY.
    redisUrl: env.REDIS_URL || undefined,
    dataDirectory: env.INFERNET_DATA_DIR || defaultDataDirectory(env),
    dashboardDirectory: resolve(env.INFERNET_DASHBOARD_DIR || DEFAULT_DASHBOARD_DIRECTORY),
    databasePoolSize: env.DATABASE_POOL_SIZE || undefined,
    logLevel: env.INFERNET_LOG_LEVEL ?? 'info',
    livenessSeconds: env.INFERNET_NODE_LIVENESS_SECONDS ?? NODE_LIVENESS_SECONDS,
    leaseSeconds: env.INFERNET_LEASE_SECONDS ?? DEFAULT_LEASE_SECONDS,
    pricePerMillionTokens: env.INFERNET_PRICE_PER_MILLION_TOKENS ?? '0',
    modelPrices: parseJsonSetting(env.INFERNET_MODEL_PRICES, 'INFERNET_MODEL_PRICES'),
    modelAliases: parseJsonSetting(env.INFERNET_MODEL_ALIASES, 'INFERNET_MODEL_ALIASES'),
    maintenanceIntervalMs: env.INFERNET_LEASE_SWEEP_INTERVAL_MS ?? LEASE_SWEEP_INTERVAL_MS,
    maxConnections: env.INFERNET_MAX_CONNECTIONS ?? DEFAULT_MAX_CONNECTIONS,
    abandonedStreamGraceSeconds:
      env.INFERNET_ABANDONED_STREAM_GRACE_SECONDS ?? ABANDONED_STREAM_GRACE_SECONDS,
    limits: limitSettingsInput(env),
    // Set only behind a reverse proxy or load balancer: then X-Forwarded-For names the client.
    trustedProxies: env.INFERNET_TRUST_PROXY || 0,
    promptRetentionHours: env.INFERNET_PROMPT_RETENTION_HOURS || DEFAULT_PROMPT_RETENTION_HOURS,
    // Unset: one secret is made on first start and kept in the database, shared by every copy.
    authSecret: env.INFERNET_AUTH_SECRET || undefined,
    publicUrl: env.INFERNET_PUBLIC_URL || undefined,
    queueMaxPerModel: env.INFERNET_QUEUE_MAX_PER_MODEL || DEFAULT_QUEUE_MAX_PER_MODEL,
    queueDeadlineSeconds: env.INFERNET_QUEUE_DEADLINE_SECONDS || DEFAULT_QUEUE_DEADLINE_SECONDS,
    nim: {
      apiKey: env.NVIDIA_NIM_API_KEY || undefined,
      apiUrl: env.NVIDIA_NIM_API_URL || DEFAULT_NIM_API_URL,
      defaultModel: env.NVIDIA_NIM_DEFAULT_MODEL || DEFAULT_NIM_MODEL,
    },
    cloudDeploy: {
      providerImage: env.INFERNET_PROVIDER_IMAGE || DEFAULT_PROVIDER_IMAGE,
      runpodApiUrl: env.INFERNET_RUNPOD_API_URL || DEFAULT_RUNPOD_API_URL,
    },
  });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => issue.message).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return Object.freeze(result.data);
}
