import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPOSITORY_ROOT } from '../../tests/e2e/src/processes';

export interface ScriptProcess {
  child: ChildProcess;
  /** The first capture group of `readyPattern` on the line that matched it. */
  ready: string;
  stop(): Promise<void>;
}

/** Runs a TypeScript file with tsx as its own process and waits for the line matching `readyPattern`. */
export async function startScript(
  script: string,
  readyPattern: RegExp,
  env: Record<string, string> = {},
): Promise<ScriptProcess> {
  const child = spawn(join(REPOSITORY_ROOT, 'node_modules/.bin/tsx'), [script], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output: string[] = [];
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} not ready:\n${output.join('\n')}`)),
      30_000,
    );
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const match = readyPattern.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] ?? line);
        }
      });
    }
    void exited.then(() => reject(new Error(`${script} exited:\n${output.join('\n')}`)));
  });
  return {
    child,
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
