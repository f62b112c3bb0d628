import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, loadMigrations, type Migration } from './migrations';
import { createPgliteClient } from './pglite-client';

/*
 * Starting a fresh PGlite runs initdb, about two seconds; loading a dump of an
 * already migrated one takes a fraction of that. Test processes each need
 * one, so the dump is kept in the temporary directory under a name derived
 * from the PGlite version and the migrations: a changed migration or an
 * upgraded PGlite makes a new one, and older ones are deleted.
 */
const FILE_PREFIX = 'infernet-db-pglite-template-';

async function pgliteVersion(): Promise<string> {
  // The package does not export its package.json; it sits one folder above the entry point.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8'));
  return String((manifest as { version?: unknown }).version);
}

async function templatePath(migrations: readonly Migration[]): Promise<string> {
  const hash = createHash('sha256').update(await pgliteVersion());
  for (const migration of migrations) hash.update(`\0${migration.version}\0${migration.sql}`);
  return join(tmpdir(), `${FILE_PREFIX}${hash.digest('hex').slice(0, 16)}.tar.gz`);
}

async function buildTemplate(migrations: readonly Migration[]): Promise<Blob> {
  const pglite = await PGlite.create();
  const client = createPgliteClient(pglite);
  try {
    await applyMigrations(client, migrations);
    return await pglite.dumpDataDir('gzip');
  } finally {
    await client.close();
  }
}

async function store(path: string, template: Blob): Promise<void> {
  // Written under a private name then renamed, so a parallel test process never reads half a file.
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, new Uint8Array(await template.arrayBuffer()));
  await rename(partial, path);
  const current = path.slice(tmpdir().length + 1);
  for (const name of await readdir(tmpdir())) {
    if (name.startsWith(FILE_PREFIX) && name !== current && !name.endsWith('.partial')) {
      await rm(join(tmpdir(), name), { force: true });
    }
  }
}

/** A gzip dump of a migrated PGlite data directory, for `PGlite.create({ loadDataDir })`. */
export async function loadPgliteTemplate(): Promise<Blob> {
  const migrations = await loadMigrations();
  const path = await templatePath(migrations);
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const template = await buildTemplate(migrations);
    // The cache only saves time; a read-only temporary directory must not fail the tests.
    await store(path, template).catch(() => {});
    return template;
  }
}
