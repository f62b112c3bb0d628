import { Command, CommanderError, Option } from 'commander';
import { POLL_MAX_JOBS } from '@infernet/protocol';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import { chatCommand } from './commands/chat';
import { configShowCommand } from './commands/config-show';
import { firewallCommand } from './commands/firewall';
import { gpuCommand } from './commands/gpu';
import { initCommand } from './commands/init';
import { addLifecycleCommands } from './commands/lifecycle-commands';
import { loginCommand } from './commands/login';
import { logsCommand } from './commands/logs';
import { addModelCommands } from './commands/model-program';
import { p2pPingCommand } from './commands/p2p-ping';
import { addPaymentCommands } from './commands/payout';
import { registerCommand } from './commands/register';
import { startCommand } from './commands/start';
import { statsCommand } from './commands/stats';
import { statusCommand } from './commands/status';
import { stopCommand } from './commands/stop';
import type { CommandContext } from './context';
import { explainError } from './explain-error';
import { tuiCommand } from './tui/run-tui';
import { cliVersion } from './version';

const ENGINE_KINDS = ['ollama', 'openai-compatible', 'stub'];
const UNLISTED_FLAG = '--unlisted';
const UNLISTED_HELP =
  'keep this node out of the public node lists; it still serves jobs (env INFERNET_UNLISTED=on)';

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  the command failed (the message says what to do next)
  2  usage error: unknown command, bad flag or value
  3  no node daemon is running (stop, status, stats, tui --once)
  (doctor exits 1 when a check fails; model pull exits 1 when it refuses a model that will not fit)

Files (in $XDG_CONFIG_HOME/infernet, else ~/.config/infernet):
  config.json  identity and settings (0600)
  daemon.log   the background daemon's JSON logs (rotated at 10 MB, 3 kept)
  daemon.pid   daemon.sock   the running daemon's pid and control socket (0600)
`;

const LOGIN_HELP = `
Without a token it prints a link and a code ("Open …/device?code=ABCD-EFGH and
approve code ABCD-EFGH") and waits, up to 10 minutes, until you approve it in
the dashboard. It registers the node first when the control plane does not
know it. The token is used for this one request: never saved, logged or passed on.

Exit codes: 0 linked; 1 refused, denied or expired (the message says what to do);
2 not a deploy token.
`;

function withControlPlane(command: Command): Command {
  return command.option(
    '--control-plane <url>',
    'control plane URL (env INFERNET_CONTROL_PLANE_URL; default http://localhost:3000)',
  );
}

function withEngine(command: Command, { manyModels }: { manyModels: boolean }): Command {
  return command
    .addOption(
      new Option(
        '--engine <kind>',
        'inference engine (env INFERNET_ENGINE; default ollama)',
      ).choices(ENGINE_KINDS),
    )
    .option(
      '--engine-url <url>',
      'engine URL (env INFERNET_ENGINE_URL or OLLAMA_HOST; default http://127.0.0.1:11434)',
    )
    .option(
      manyModels ? '--model <name...>' : '--model <name>',
      manyModels
        ? 'models to serve (env INFERNET_MODEL, comma-separated; default: all the engine has)'
        : 'model to use (default: the first configured, else the engine’s first)',
    );
}

/**
 * Builds the `infernet` program. `run` resolves with the exit code; every
 * failure is a message telling the user what to do next, never a stack.
 */
export function buildProgram(
  context: CommandContext,
  exit: (code: number) => never,
): { program: Command; outcome: { exitCode: number } } {
  const { output } = context;
  const outcome = { exitCode: EXIT_OK };
  // Commander ignores what actions return, so each one records its exit code here.
  const record =
    <Args extends unknown[]>(run: (...args: Args) => Promise<number>) =>
    async (...args: Args) => {
      outcome.exitCode = await run(...args);
    };
  const program = new Command('infernet')
    .description('Infernet provider node: serve AI inference from this machine’s GPU.')
    .version(cliVersion(), '-v, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command')
    .showHelpAfterError('(run `infernet help` for the list of commands)')
    .configureOutput({
      writeOut: (text) => output.write(text),
      writeErr: (text) => output.writeError(text),
    })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  withEngine(
    withControlPlane(
      program.command('init').description('create this node’s identity and config file'),
    ),
    { manyModels: true },
  )
    .option('--name <name>', 'node name shown to others (env INFERNET_NODE_NAME)')
    .option('--nostr-privkey <key>', 'import an existing private key (64 hex characters or nsec1…)')
    .option('--no-advertise', 'never publish an address or port (outbound-only; the default today)')
    .option(UNLISTED_FLAG, UNLISTED_HELP)
    .option(
      '--max-concurrent <n>',
      `jobs to run at once, 1–${POLL_MAX_JOBS} (env INFERNET_MAX_CONCURRENT_JOBS; default 2)`,
    )
    .option('--force', 'replace an existing identity (its key is lost)')
    .action(record(async (flags) => initCommand(context, flags)));

  withEngine(
    withControlPlane(
      program.command('register').description('announce this node to the control plane'),
    ),
    { manyModels: true },
  )
    .option('--name <name>', 'node name shown to others')
    .option('--no-advertise', 'never publish an address or port')
    .option(UNLISTED_FLAG, UNLISTED_HELP)
    .action(record(async (flags) => registerCommand(context, flags)));

  withEngine(
    withControlPlane(
      program
        .command('start')
        .description('start the node daemon in the background: register, heartbeat, take jobs'),
    ),
    { manyModels: true },
  )
    .option('--foreground', 'run in this terminal, logging JSON lines to stdout (for supervisors)')
    .addOption(new Option('--log-to-file', 'log to daemon.log (the detached daemon)').hideHelp())
    .option('--name <name>', 'node name shown to others')
    .option('--no-advertise', 'never publish an address or port')
    .option(UNLISTED_FLAG, UNLISTED_HELP)
    .option(
      '--p2p-port <port>',
      'TCP port for peer connections (env INFERNET_P2P_PORT; default 46337)',
    )
    .option('--no-p2p', 'open no P2P port (env INFERNET_P2P=off)')
    .option('--max-concurrent <n>', `jobs to run at once, 1–${POLL_MAX_JOBS} (default 2)`)
    .option(
      '--drain-timeout <seconds>',
      'on `infernet stop` or SIGTERM, how long running jobs may take to finish (default 60)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level (env INFERNET_LOG_LEVEL; default info)').choices(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      ),
    )
    .action(record(async (flags) => startCommand(context, flags, exit)));

  withEngine(
    withControlPlane(
      program
        .command('login')
        .description(
          'link this node to your account: with a deploy token, or by approving it in the browser',
        ),
    ),
    { manyModels: true },
  )
    .option(
      '--token <infd_…>',
      'deploy token from the dashboard’s /deploy page (env INFERNET_BEARER, which keeps it out of `ps`); without one: device sign-in',
    )
    .option(UNLISTED_FLAG, UNLISTED_HELP)
    .option('--json', 'print the result as JSON (the sign-in instructions go to stderr)')
    .addHelpText('after', LOGIN_HELP)
    .action(record(async (flags) => loginCommand(context, flags)));

  program
    .command('stop')
    .description('stop the daemon once its running jobs finish (exit 3 when none runs)')
    .action(record(async () => stopCommand(context)));

  withControlPlane(
    program
      .command('status')
      .description('show the running daemon, else this node as the control plane sees it'),
  )
    .option('--json', 'print JSON')
    .action(record(async (flags) => statusCommand(context, flags)));

  program
    .command('stats')
    .description('show the running daemon’s jobs, tokens and earnings (exit 3 when none runs)')
    .option('--json', 'print JSON')
    .action(record(async (flags: { json?: boolean }) => statsCommand(context, flags)));

  withControlPlane(
    program
      .command('tui')
      .description(
        'live dashboard of the running daemon: jobs, tokens/s, earnings, errors (q quits)',
      ),
  )
    .option('--once', 'print one frame and exit (exit 3 when no daemon runs), for scripts')
    .action(record(async (flags) => tuiCommand(context, flags)));

  program
    .command('logs')
    .description('show the background daemon’s log')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('-n, --lines <n>', 'how many of the last lines to show (default 50)')
    .option('--json', 'print the JSON lines as they are')
    .action(
      record(async (flags: { follow?: boolean; lines?: string; json?: boolean }) =>
        logsCommand(context, flags),
      ),
    );

  program
    .command('config')
    .description('show the configuration')
    .command('show')
    .description('print the effective configuration, secrets redacted')
    .option('--json', 'print JSON')
    .action(record(async (flags: { json?: boolean }) => configShowCommand(context, flags)));

  withEngine(
    program
      .command('chat')
      .description('chat with the local engine, no control plane needed')
      .argument('<prompt...>', 'what to ask'),
    { manyModels: false },
  )
    .option('--system <text>', 'system prompt')
    .option('--max-tokens <n>', 'longest answer in tokens (default 512)')
    .option('--temperature <t>', 'sampling temperature 0–2 (default 0.7)')
    .action(record(async (prompt: string[], flags) => chatCommand(context, prompt, flags)));

  program
    .command('gpu')
    .description('list this machine’s GPUs')
    .argument('[format]', 'list (a table) or json', 'list')
    .action(record(async (format: string) => gpuCommand(context, format)));

  program
    .command('firewall')
    .description('print the commands that open the P2P port (never changes anything)')
    .argument('[tool]', 'ufw, firewalld, nftables, iptables, pf or netsh (default: all)')
    .option('--p2p-port <port>', 'the P2P port (default: the configured one, 46337 unless changed)')
    .option('--json', 'print the commands as JSON')
    .action(
      record(async (tool: string | undefined, flags: { p2pPort?: string; json?: boolean }) =>
        firewallCommand(context, tool, flags),
      ),
    );

  program
    .command('p2p')
    .description('talk to another node over its P2P port')
    .command('ping')
    .description('connect to a peer, prove both keys, ask for its info and ping it')
    .argument('<address>', 'host:port, [ipv6]:port, or a host (port 46337)')
    .option('--json', 'print JSON')
    .action(
      record(async (address: string, flags: { json?: boolean }) =>
        p2pPingCommand(context, address, flags),
      ),
    );

  addModelCommands(program, {
    context,
    record,
    withEngine: (command) => withEngine(command, { manyModels: true }),
    withControlPlane,
  });

  addLifecycleCommands(program, context, record);

  addPaymentCommands(program, { context, record, withControlPlane });

  return { program, outcome };
}

/** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 usage error, 3 no daemon running. */
export async function runCli(
  argv: readonly string[],
  context: CommandContext,
  exit: (code: number) => never,
): Promise<number> {
  const { program, outcome } = buildProgram(context, exit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; anything else is a usage error.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    const explained = error instanceof CliError ? error : explainError(error);
    context.output.error(`Error: ${explained.message}`);
    return explained.exitCode || EXIT_FAILURE;
  }
}
