/**
 * `npm run demo`: the control plane on the embedded database plus one local
 * provider node, so a fresh machine can see tokens flow end to end. The node
 * uses Ollama when one answers at OLLAMA_HOST, otherwise the demo engine,
 * which labels itself "demo engine" in every `meta` event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createLogger, loadConfig, startServer } from '@infernet/server';

const CLI = resolve(import.meta.dirname, '../apps/cli/bin/infernet.js');
const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

function ollamaHost(): string {
  const host = process.env.OLLAMA_HOST || DEFAULT_OLLAMA_HOST;
  return /^https?:\/\//.test(host) ? host : `http://${host}`;
}

/** True when an Ollama answers and has at least one model pulled. */
async function ollamaIsReady(host: string): Promise<boolean> {
  try {
    const response = await fetch(`${host}/api/tags`, { signal: AbortSignal.timeout(1500) });
    if (!response.ok) return false;
    const body = (await response.json()) as { models?: unknown[] };
    return Array.isArray(body.models) && body.models.length > 0;
  } catch {
    return false;
  }
}

function runCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) =>
      process.stdout.write(`[node] ${line}\n`),
    );
  }
  return child;
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

const config = loadConfig(process.env, process.argv.slice(2));
const server = await startServer(config, createLogger(config.logLevel));
const publicUrl = server.url.replace('127.0.0.1', 'localhost');

const host = ollamaHost();
const useOllama = await ollamaIsReady(host);
const nodeConfigHome = join(config.dataDirectory, 'demo-node');
const nodeEnvironment: NodeJS.ProcessEnv = {
  ...process.env,
  XDG_CONFIG_HOME: nodeConfigHome,
  INFERNET_CONTROL_PLANE_URL: server.url,
  INFERNET_NODE_NAME: 'demo-node',
  // The demo waits for the node's "node ready" line, which is logged at info.
  INFERNET_LOG_LEVEL: 'info',
  INFERNET_ENGINE: useOllama ? 'ollama' : 'stub',
  ...(useOllama ? { INFERNET_ENGINE_URL: host } : {}),
};
process.stdout.write(
  useOllama
    ? `Using Ollama at ${host}.\n`
    : `No Ollama with a pulled model at ${host}: the node uses the labelled demo engine.\n`,
);

if (!existsSync(join(nodeConfigHome, 'infernet', 'config.json'))) {
  const code = await exitCode(runCli(['init'], nodeEnvironment));
  if (code !== 0) throw new Error(`infernet init failed with exit code ${code}`);
}
const node = runCli(['start', '--foreground'], nodeEnvironment);
const ready = new Promise<void>((done) => {
  createInterface({ input: node.stdout! }).on('line', (line) => {
    if (line.includes('node ready')) done();
  });
});
await Promise.race([
  ready,
  exitCode(node).then((code) => Promise.reject(new Error(`the node exited (${code})`))),
]);

process.stdout.write(`
Infernet demo is running: control plane ${publicUrl}, one provider node.

Ask for a chat and follow its stream:

  curl -N "${publicUrl}$(curl -s ${publicUrl}/api/chat -H 'content-type: application/json' \\
    -d '{"messages":[{"role":"user","content":"Hello!"}]}' \\
    | node -pe 'JSON.parse(require("fs").readFileSync(0)).streamUrl')"

Press Ctrl-C to stop.
`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  node.kill('SIGTERM');
  await exitCode(node);
  await server.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
