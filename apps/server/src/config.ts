import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ABANDONED_STREAM_GRACE_SECONDS,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_SERVER_PORT,
  LEASE_SWEEP_INTERVAL_MS,
  ModelNameSchema,
  NODE_LIVENESS_SECONDS,
} from '@infernet/protocol';
import { ModelPricesSchema, PriceSchema } from './pricing';

/** Open HTTP connections per server process (long polls and streams included). */
const DEFAULT_MAX_CONNECTIONS = 10_000;

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
  maxConnections: z.coerce
    .number({ message: 'INFERNET_MAX_CONNECTIONS must be a number' })
    .int()
    .min(1, 'INFERNET_MAX_CONNECTIONS must be at least 1'),
  maintenanceIntervalMs: z.coerce
    .number({ message: 'INFERNET_LEASE_SWEEP_INTERVAL_MS must be a number of milliseconds' })
    .int()
    .min(50, 'INFERNET_LEASE_SWEEP_INTERVAL_MS must be at least 50'),
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
  });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => issue.message).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return Object.freeze(result.data);
}
