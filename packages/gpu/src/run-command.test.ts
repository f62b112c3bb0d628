import { describe, expect, it } from 'vitest';
import { createNodeRunner } from './run-command';

const node = process.execPath;

describe('createNodeRunner', () => {
  it('returns the output and exit code of a program', async () => {
    const run = createNodeRunner();
    expect(await run(node, ['-e', 'process.stdout.write("hello")'])).toEqual({
      stdout: 'hello',
      exitCode: 0,
    });
    expect(await run(node, ['-e', 'process.stdout.write("bad"); process.exit(3)'])).toEqual({
      stdout: 'bad',
      exitCode: 3,
    });
  });

  it('returns null for a program that is not installed', async () => {
    expect(await createNodeRunner()('infernet-no-such-program', [])).toBeNull();
  });

  it('kills a program that runs past the timeout', async () => {
    const run = createNodeRunner({ timeoutMs: 100 });
    const result = await run(node, ['-e', 'setTimeout(() => {}, 10_000)']);
    expect(result).toEqual({ stdout: '', exitCode: 124 });
  });
});
