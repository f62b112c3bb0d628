import { statSync } from 'node:fs';
import { encodeNpub } from '@infernet/auth';
import { DEFAULT_OLLAMA_HOST } from '@infernet/engines';
import { EXIT_FAILURE, EXIT_OK } from '../cli-error';
import { configFilePath, type CliConfig } from '../config';
import { loadConfig, type CommandContext, type SharedFlags } from '../context';
import { detectHardware, type Hardware } from '../hardware';
import { fitsBudget, suggestModels } from '../model-fit';
import { listServedModels } from '../node-specs';

export interface DoctorFlags extends SharedFlags {
  json?: boolean;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DoctorCheck {
  id: 'config' | 'identity' | 'control-plane' | 'clock' | 'engine' | 'gpu' | 'models';
  status: CheckStatus;
  detail: string;
  /** The exact thing to do, for a failure or a warning. */
  fix?: string;
}

/** How far this machine's clock may be from the control plane's; signed requests allow 60 s. */
export const MAX_CLOCK_SKEW_SECONDS = 60;
const CONTROL_PLANE_TIMEOUT_MS = 5_000;

/**
 * `infernet doctor [--json]`: checks this node end to end, and prints the
 * fix for each failure. Exit 1 when any check fails; warnings do not.
 */
export async function doctorCommand(context: CommandContext, flags: DoctorFlags): Promise<number> {
  const { output } = context;
  const checks: DoctorCheck[] = [checkConfigFile(context)];
  let config: CliConfig | undefined;
  try {
    config = loadConfig(context, flags);
  } catch (error) {
    checks.push({
      id: 'identity',
      status: 'fail',
      detail: `cannot load the configuration: ${messageOf(error)}`,
      fix: 'Fix the config file as the message says, or move it away and run `infernet setup`.',
    });
  }
  if (config) {
    checks.push(checkIdentity(config));
    checks.push(...(await checkControlPlane(context, config)));
    const hardware = await detectHardware(context.detectGpus);
    checks.push(checkGpu(hardware));
    checks.push(...(await checkEngine(context, config, hardware)));
  }
  const ok = checks.every((check) => check.status !== 'fail');
  if (flags.json) {
    output.json({ ok, checks });
  } else {
    for (const check of checks) {
      output.line(`${LABELS[check.status]} ${TITLES[check.id].padEnd(15)} ${check.detail}`);
      if (check.fix && check.status !== 'pass') output.line(`       fix: ${check.fix}`);
    }
    output.line(
      ok
        ? '\nAll checks passed.'
        : `\n${checks.filter((check) => check.status === 'fail').length} check(s) failed: apply the fixes above and run \`infernet doctor\` again.`,
    );
  }
  return ok ? EXIT_OK : EXIT_FAILURE;
}

const LABELS: Record<CheckStatus, string> = {
  pass: '[ok]  ',
  fail: '[FAIL]',
  warn: '[warn]',
  skip: '[skip]',
};

const TITLES: Record<DoctorCheck['id'], string> = {
  config: 'config file',
  identity: 'node key',
  'control-plane': 'control plane',
  clock: 'clock',
  engine: 'engine',
  gpu: 'GPU',
  models: 'served models',
};

/** `fetch failed` says little; its cause says ECONNREFUSED or ENOTFOUND. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `no answer within ${CONTROL_PLANE_TIMEOUT_MS / 1000} s`;
  }
  if (typeof cause?.code === 'string') return `cannot connect (${cause.code})`;
  return typeof cause?.message === 'string'
    ? `${messageOf(error)} (${cause.message})`
    : messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkConfigFile(context: CommandContext): DoctorCheck {
  const path = configFilePath(context.environment);
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    if (context.environment.INFERNET_PRIVATE_KEY) {
      return { id: 'config', status: 'pass', detail: 'no file; settings from the environment' };
    }
    return {
      id: 'config',
      status: 'fail',
      detail: `no config file at ${path}`,
      fix: 'Run `infernet setup` (or `infernet init`).',
    };
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    return {
      id: 'config',
      status: 'fail',
      detail: `${path} is mode ${mode.toString(8).padStart(4, '0')}: other users can read this node's key`,
      fix: `Run \`chmod 600 ${path}\` (or \`infernet init\`, which fixes it and keeps the key).`,
    };
  }
  return { id: 'config', status: 'pass', detail: `${path} (readable only by you)` };
}

function checkIdentity(config: CliConfig): DoctorCheck {
  if (!config.identity) {
    return {
      id: 'identity',
      status: 'fail',
      detail: 'no private key',
      fix: 'Run `infernet init` (or set INFERNET_PRIVATE_KEY).',
    };
  }
  return { id: 'identity', status: 'pass', detail: encodeNpub(config.identity.publicKey) };
}

/** The skew of this clock against an HTTP `Date` header, allowing for its one-second resolution and the round trip. */
export function clockSkewSeconds(
  serverDate: string,
  sentAt: number,
  receivedAt: number,
): number | undefined {
  const server = Date.parse(serverDate);
  if (Number.isNaN(server)) return undefined;
  const local = (sentAt + receivedAt) / 2;
  // The header drops milliseconds: the server's clock read somewhere in [server, server + 1000).
  const difference = server + 500 - local;
  return Math.abs(difference) <= 500 + (receivedAt - sentAt) / 2 ? 0 : difference / 1000;
}

async function checkControlPlane(
  context: CommandContext,
  config: CliConfig,
): Promise<DoctorCheck[]> {
  const url = config.controlPlaneUrl;
  const sentAt = context.clock.now();
  let response: Response;
  try {
    response = await fetch(`${url}/healthz`, {
      signal: AbortSignal.timeout(CONTROL_PLANE_TIMEOUT_MS),
    });
  } catch (error) {
    return [
      {
        id: 'control-plane',
        status: 'fail',
        detail: `cannot reach ${url}: ${describeFetchError(error)}`,
        fix: 'Start it (`npm start` in a checkout), or point at another with `--control-plane URL` or INFERNET_CONTROL_PLANE_URL.',
      },
      { id: 'clock', status: 'skip', detail: 'needs the control plane' },
    ];
  }
  const receivedAt = context.clock.now();
  await response.body?.cancel();
  const reachable: DoctorCheck = response.ok
    ? { id: 'control-plane', status: 'pass', detail: `${url} answers (${receivedAt - sentAt} ms)` }
    : {
        id: 'control-plane',
        status: 'fail',
        detail: `${url}/healthz answered HTTP ${response.status}`,
        fix: 'Check the control plane’s logs, or that the URL points at an Infernet control plane.',
      };
  const date = response.headers.get('date');
  const skew = date ? clockSkewSeconds(date, sentAt, receivedAt) : undefined;
  if (skew === undefined) {
    return [
      reachable,
      { id: 'clock', status: 'skip', detail: 'the control plane sent no Date header' },
    ];
  }
  const clock: DoctorCheck =
    Math.abs(skew) <= MAX_CLOCK_SKEW_SECONDS
      ? {
          id: 'clock',
          status: 'pass',
          detail: `within ${Math.ceil(Math.abs(skew))} s of the control plane`,
        }
      : {
          id: 'clock',
          status: 'fail',
          detail: `${Math.round(Math.abs(skew))} s ${skew > 0 ? 'behind' : 'ahead of'} the control plane; signed requests allow ${MAX_CLOCK_SKEW_SECONDS} s`,
          fix: 'Sync the clock: enable NTP (`sudo timedatectl set-ntp true` on Linux; on macOS, Date & Time › Set automatically).',
        };
  return [reachable, clock];
}

async function checkEngine(
  context: CommandContext,
  config: CliConfig,
  hardware: Hardware,
): Promise<DoctorCheck[]> {
  const engine = context.createEngine(config.engine);
  const where =
    config.engine.url ?? (config.engine.kind === 'ollama' ? DEFAULT_OLLAMA_HOST : '(no URL)');
  const health = await engine.health();
  if (!health.ok) {
    return [
      {
        id: 'engine',
        status: 'fail',
        detail: health.detail,
        fix:
          config.engine.kind === 'ollama'
            ? `Start Ollama (\`ollama serve\`, or \`systemctl start ollama\`), or point at it with \`--engine-url URL\` or INFERNET_ENGINE_URL (now ${where}).`
            : `Start the ${engine.label} server at ${where}, or point at it with \`--engine-url URL\` or INFERNET_ENGINE_URL.`,
      },
      { id: 'models', status: 'skip', detail: 'needs the engine' },
    ];
  }
  const models = await listServedModels(engine, config.engine.models, undefined, {
    fits: fitsBudget(hardware.memory),
  });
  const engineCheck: DoctorCheck = { id: 'engine', status: 'pass', detail: health.detail };
  if (models.served.length > 0) {
    return [
      engineCheck,
      { id: 'models', status: 'pass', detail: `serving ${models.served.join(', ')}` },
    ];
  }
  const reasons = [
    models.missing.length > 0 ? `not pulled: ${models.missing.join(', ')}` : '',
    models.tooLarge?.length
      ? `too large for ${hardware.memory.description}: ${models.tooLarge.join(', ')}`
      : '',
  ].filter(Boolean);
  const suggestion = models.missing[0] ?? suggestModels(hardware.memory)[0];
  return [
    engineCheck,
    {
      id: 'models',
      status: 'fail',
      detail: `no model to serve${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`,
      fix: suggestion
        ? `Run \`infernet model pull ${suggestion}\`${config.engine.models.length > 0 && !models.missing.includes(suggestion) ? `, then \`infernet model use ${suggestion}\`` : ''}.`
        : 'Pull a model small enough for this machine with `infernet model pull NAME`.',
    },
  ];
}

function checkGpu(hardware: Hardware): DoctorCheck {
  if (hardware.detection.gpus.length > 0) {
    return {
      id: 'gpu',
      status: 'pass',
      detail: `${hardware.memory.description}, found with ${hardware.detection.source}`,
    };
  }
  return {
    id: 'gpu',
    status: 'warn',
    detail: `none found (${hardware.memory.description}); this node serves from the CPU`,
    fix: 'If this machine has a GPU, install its driver so `nvidia-smi` (NVIDIA) or `rocm-smi` (AMD) works, then run `infernet doctor` again.',
  };
}
