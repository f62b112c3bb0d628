import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** Bundles an entry the way a browser app's bundler would: browser conditions, no Node built-ins. */
async function bundleForBrowser(name: string) {
  const result = await build({
    entryPoints: [entry(name)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { inputs: Object.keys(result.metafile.inputs), code: result.outputFiles[0]!.text };
}

describe('the main entry in a browser', () => {
  it('bundles without a Node built-in, and without the node signing code', async () => {
    // A `node:` import (direct or through a dependency) fails this build outright.
    const { inputs, code } = await bundleForBrowser('index.ts');
    expect(inputs.some((input) => input.includes('packages/sdk/src/infernet-client.ts'))).toBe(
      true,
    );
    expect(inputs.filter((input) => /packages\/auth|@noble|tiny-secp256k1/.test(input))).toEqual(
      [],
    );
    expect(inputs.some((input) => input.endsWith('node-client.ts'))).toBe(false);
    expect(code).not.toMatch(/\brequire\(/);
  });
});
