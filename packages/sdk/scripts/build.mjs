/**
 * Builds the publishable package into `dist/`: ES modules bundled with the
 * workspace packages the SDK uses (`@infernet/protocol`, `@infernet/auth`,
 * which are not published), declarations, README and a package.json whose
 * exports point at the built files. In the workspace the package resolves to
 * its TypeScript sources instead, so nothing needs building to run or test.
 *
 *   npm run build -w @infernetprotocol/sdk
 *   npm publish packages/sdk/dist
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packages = resolve(root, '..');
const dist = join(root, 'dist');
const bundled = { '@infernet/protocol': 'protocol', '@infernet/auth': 'auth' };
const require = createRequire(import.meta.url);

const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

/** Third-party dependencies of the SDK and of the workspace packages bundled into it. */
async function publishedDependencies() {
  const dependencies = { ...manifest.dependencies };
  for (const [name, folder] of Object.entries(bundled)) {
    delete dependencies[name];
    const inner = JSON.parse(await readFile(join(packages, folder, 'package.json'), 'utf8'));
    for (const [dependency, version] of Object.entries(inner.dependencies ?? {})) {
      if (!(dependency in bundled)) dependencies[dependency] = version;
    }
  }
  return Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
}

async function bundleModules(dependencies) {
  await build({
    entryPoints: { index: join(root, 'src/index.ts'), node: join(root, 'src/node.ts') },
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    // Neutral: the output runs in browsers and Node; `#schnorr-backend` takes its default (WASM) target.
    platform: 'neutral',
    target: 'es2022',
    external: Object.keys(dependencies).flatMap((name) => [name, `${name}/*`]),
    logLevel: 'warning',
  });
}

/** Declarations for the SDK and the bundled packages, with their imports made relative. */
async function emitDeclarations() {
  const types = join(dist, 'types');
  // Mapped through `paths`, the workspace packages count as this program's own
  // sources; reached through node_modules, tsc would not emit their declarations.
  const tsconfig = join(dist, 'tsconfig.build.json');
  const paths = Object.fromEntries(
    Object.entries(bundled).map(([name, folder]) => [
      name,
      [join(packages, folder, 'src/index.ts')],
    ]),
  );
  await writeFile(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        declaration: true,
        emitDeclarationOnly: true,
        skipLibCheck: true,
        strict: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2023', 'DOM'],
        types: ['node'],
        verbatimModuleSyntax: true,
        rootDir: packages,
        outDir: types,
        paths,
      },
      files: [join(root, 'src/index.ts'), join(root, 'src/node.ts')],
    }),
  );
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], {
      stdio: 'inherit',
    });
  } finally {
    await rm(tsconfig);
  }
  for await (const file of walk(types)) {
    if (!file.endsWith('.d.ts')) continue;
    const text = await readFile(file, 'utf8');
    const rewritten = text.replace(/(from |import\()'([^']+)'/g, (match, prefix, specifier) => {
      const folder = bundled[specifier];
      if (folder) {
        const target = relative(dirname(file), join(types, folder, 'src/index.js'));
        return `${prefix}'${target.startsWith('.') ? target : `./${target}`}'`;
      }
      // Node's ESM resolution (moduleResolution NodeNext) needs the extension.
      if (specifier.startsWith('.') && !specifier.endsWith('.js'))
        return `${prefix}'${specifier}.js'`;
      return match;
    });
    await writeFile(file, rewritten);
  }
  for (const entry of ['index', 'node']) {
    await writeFile(join(dist, `${entry}.d.ts`), `export * from './types/sdk/src/${entry}.js';\n`);
  }
}

async function* walk(folder) {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

async function writeManifest(dependencies) {
  // The workspace's scripts (the publish guard among them) and dev tools stay behind.
  const { scripts: _scripts, devDependencies: _devDependencies, ...published } = manifest;
  const entry = (name) => ({ types: `./${name}.d.ts`, default: `./${name}.js` });
  await writeFile(
    join(dist, 'package.json'),
    `${JSON.stringify(
      {
        ...published,
        exports: {
          '.': entry('index'),
          './node': entry('node'),
          './package.json': './package.json',
        },
        dependencies,
      },
      null,
      2,
    )}\n`,
  );
  await copyFile(join(root, 'README.md'), join(dist, 'README.md'));
  await copyFile(join(packages, '..', 'LICENSE'), join(dist, 'LICENSE')).catch(() => {});
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const dependencies = await publishedDependencies();
await bundleModules(dependencies);
await emitDeclarations();
await writeManifest(dependencies);
console.log(`built ${relative(process.cwd(), dist)}`);
