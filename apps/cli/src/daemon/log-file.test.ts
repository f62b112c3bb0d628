import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLogFile } from './log-file';
import { formatLogLine } from './log-format';

describe('RotatingLogFile', () => {
  let directory: string;
  let path: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'infernet-log-'));
    path = join(directory, 'daemon.log');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const read = (file: string) => readFileSync(file, 'utf8');

  it('appends whole lines to a 0600 file', () => {
    writeFileSync(path, 'earlier\n', { mode: 0o600 });
    const log = new RotatingLogFile(path, { maxBytes: 1024 });
    log.write('one\n');
    log.write('two\n');
    log.close();
    expect(read(path)).toBe('earlier\none\ntwo\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('rotates before a line would pass the limit, keeping at most `files` files', () => {
    const log = new RotatingLogFile(path, { maxBytes: 10, files: 3 });
    for (const line of ['aaaaaaa\n', 'bbbbbbb\n', 'ccccccc\n', 'ddddddd\n']) log.write(line);
    log.close();
    expect(read(path)).toBe('ddddddd\n');
    expect(read(`${path}.1`)).toBe('ccccccc\n');
    expect(read(`${path}.2`)).toBe('bbbbbbb\n');
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it('rotates a file that is already full when the daemon starts', () => {
    writeFileSync(path, 'x'.repeat(20));
    const log = new RotatingLogFile(path, { maxBytes: 10 });
    log.write('new\n');
    log.close();
    expect(read(path)).toBe('new\n');
    expect(read(`${path}.1`)).toBe('x'.repeat(20));
  });
});

describe('formatLogLine', () => {
  it('shows time, level, message and the other fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: '2025-01-02T03:04:05.678Z',
      pid: 12,
      jobId: 'j1',
      models: ['a'],
      msg: 'posting job events failed',
    });
    expect(formatLogLine(line)).toBe(
      '2025-01-02 03:04:05  WARN   posting job events failed  jobId=j1  models=["a"]',
    );
  });

  it('passes anything that is not a pino line through', () => {
    expect(formatLogLine('Error: boom')).toBe('Error: boom');
    expect(formatLogLine('{"no":"msg"}')).toBe('{"no":"msg"}');
  });
});
