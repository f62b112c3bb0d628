import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SOURCE_ROOT, findInstallation, parseReceipt, versionAt } from './installation';

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'infernet-install-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('the install receipt', () => {
  it('reads KEY=value lines, keeping empty values and ignoring comments', () => {
    expect(
      parseReceipt('# comment\nINFERNET_SOURCE_KIND=git\nINFERNET_REF=\nINFERNET_X=a=b c\n'),
    ).toEqual({ INFERNET_SOURCE_KIND: 'git', INFERNET_REF: '', INFERNET_X: 'a=b c' });
  });

  it('finds an install.sh installation from its source directory', () => {
    const source = join(home, 'source');
    mkdirSync(join(source, 'apps', 'cli'), { recursive: true });
    writeFileSync(join(source, 'apps', 'cli', 'package.json'), '{"version":"9.8.7"}');
    writeFileSync(
      join(home, 'install.conf'),
      [
        'INFERNET_SOURCE_KIND=copy',
        'INFERNET_REPO_URL=https://example.com/infernet.git',
        'INFERNET_REF=',
        'INFERNET_SOURCE_DIR=/src/infernet',
        'INFERNET_SHIM=/home/me/.local/bin/infernet',
        'INFERNET_INSTALLED_AT=2026-01-01T00:00:00Z',
      ].join('\n'),
    );
    expect(findInstallation(source)).toEqual({
      home,
      source,
      receiptPath: join(home, 'install.conf'),
      kind: 'copy',
      repoUrl: 'https://example.com/infernet.git',
      ref: undefined,
      copiedFrom: '/src/infernet',
      shim: '/home/me/.local/bin/infernet',
      installedAt: '2026-01-01T00:00:00Z',
    });
    expect(versionAt(source)).toBe('9.8.7');
  });

  it('sees a checkout (no receipt, or not named source) as not installed', () => {
    mkdirSync(join(home, 'source'));
    expect(findInstallation(join(home, 'source'))).toBeUndefined();
    expect(findInstallation(SOURCE_ROOT)).toBeUndefined();
    expect(versionAt(home)).toBeUndefined();
  });
});
