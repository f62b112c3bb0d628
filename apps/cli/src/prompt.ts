import { createInterface } from 'node:readline/promises';

/** Whether a person can answer questions: stdin and stdout both terminals. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/** Asks one question on the terminal and resolves with the trimmed answer ('' for Enter). */
export async function ask(question: string): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await readline.question(question)).trim();
  } finally {
    readline.close();
  }
}

/** `[y/N]` (or `[Y/n]` when `defaultYes`): anything starting with y is yes. */
export async function askYesNo(question: string, defaultYes = false): Promise<boolean> {
  const answer = (await ask(`${question} ${defaultYes ? '[Y/n]' : '[y/N]'} `)).toLowerCase();
  return answer === '' ? defaultYes : answer.startsWith('y');
}
