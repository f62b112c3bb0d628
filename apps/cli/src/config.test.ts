import { describe, expect, it } from 'vitest';
import { publicKeyFromPrivateKey } from '@infernet/auth';
import {
  configFilePath,
  mergeSettings,
  normalizeOllamaHost,
  resolveConfig,
  settingsFromEnvironment,
} from './config';

const KEY_A = '7a638e08fbe541ec8f39ef9b71ad97c470b8f3df5dad53da704500d4e724885a';
const KEY_B = '1'.repeat(64);

describe('resolveConfig', () => {
  it('falls back to the defaults', () => {
    const config = resolveConfig({ environment: { HOME: '/home/ada' } });
    expect(config).toMatchObject({
      configPath: '/home/ada/.config/infernet/config.json',
      controlPlaneUrl: 'http://localhost:3000',
      identity: undefined,
      advertise: false,
      engine: { kind: 'ollama', url: undefined, models: [] },
      maxConcurrentJobs: 2,
      drainTimeoutMs: 60_000,
      logLevel: 'info',
    });
  });

  it('takes flags over environment over file', () => {
    const file = {
      controlPlane: { url: 'http://file:3000' },
      engine: { kind: 'ollama' as const, models: ['from-file'] },
      node: { name: 'file-name' },
      daemon: { maxConcurrentJobs: 5 },
    };
    const environment = {
      HOME: '/h',
      INFERNET_CONTROL_PLANE_URL: 'http://env:3000/',
      INFERNET_MODEL: 'a, b',
      INFERNET_MAX_CONCURRENT_JOBS: '3',
    };
    const flags = { controlPlane: { url: 'http://flag:3000' } };
    const config = resolveConfig({ environment, flags, file });
    expect(config.controlPlaneUrl).toBe('http://flag:3000');
    expect(config.engine.models).toEqual(['a', 'b']);
    expect(config.maxConcurrentJobs).toBe(3);
    expect(config.nodeName).toBe('file-name');
    expect(resolveConfig({ environment, file }).controlPlaneUrl).toBe('http://env:3000');
  });

  it('resolves unlisted: flags over INFERNET_UNLISTED over the file, default false', () => {
    const listedFile = { node: { unlisted: false } };
    const unlistedFile = { node: { unlisted: true } };
    expect(resolveConfig({ environment: { HOME: '/h' } }).unlisted).toBe(false);
    expect(resolveConfig({ environment: { HOME: '/h' }, file: unlistedFile }).unlisted).toBe(true);
    const environmentOff = { HOME: '/h', INFERNET_UNLISTED: 'off' };
    expect(resolveConfig({ environment: environmentOff, file: unlistedFile }).unlisted).toBe(false);
    const environmentOn = { HOME: '/h', INFERNET_UNLISTED: 'on' };
    expect(resolveConfig({ environment: environmentOn, file: listedFile }).unlisted).toBe(true);
    const flags = { node: { unlisted: true } };
    expect(resolveConfig({ environment: environmentOff, flags }).unlisted).toBe(true);
    expect(() =>
      resolveConfig({ environment: { HOME: '/h', INFERNET_UNLISTED: 'maybe' } }),
    ).toThrow(/INFERNET_UNLISTED must be on or off/);
  });

  it('honours XDG_CONFIG_HOME only when it is absolute', () => {
    expect(configFilePath({ HOME: '/h', XDG_CONFIG_HOME: '/x' })).toBe('/x/infernet/config.json');
    expect(configFilePath({ HOME: '/h', XDG_CONFIG_HOME: 'relative' })).toBe(
      '/h/.config/infernet/config.json',
    );
  });

  it('keeps a stored node id only with the key it was made for', () => {
    const publicKeyA = publicKeyFromPrivateKey(KEY_A);
    const file = { node: { privateKey: KEY_A, publicKey: publicKeyA, nodeId: 'provider-legacy1' } };
    expect(resolveConfig({ environment: {}, file }).identity?.nodeId).toBe('provider-legacy1');
    const overridden = resolveConfig({ environment: { INFERNET_PRIVATE_KEY: KEY_B }, file });
    expect(overridden.identity?.publicKey).toBe(publicKeyFromPrivateKey(KEY_B));
    expect(overridden.identity?.nodeId).toBe(`node-${overridden.identity?.publicKey.slice(0, 16)}`);
  });

  it('names the source and the variable of a bad value', () => {
    expect(() => resolveConfig({ environment: { INFERNET_MAX_CONCURRENT_JOBS: 'lots' } })).toThrow(
      /environment.*daemon\.maxConcurrentJobs/,
    );
    expect(() =>
      resolveConfig({ environment: { INFERNET_CONTROL_PLANE_URL: 'localhost:3000' } }),
    ).toThrow(/http\(s\) URL/);
  });
});

describe('engine URL from the environment', () => {
  it('prefers INFERNET_ENGINE_URL, then OLLAMA_HOST for ollama', () => {
    expect(
      settingsFromEnvironment({ INFERNET_ENGINE_URL: 'http://a:1', OLLAMA_HOST: 'b' }).engine?.url,
    ).toBe('http://a:1');
    expect(settingsFromEnvironment({ OLLAMA_HOST: '0.0.0.0' }).engine?.url).toBe(
      'http://127.0.0.1:11434',
    );
    expect(
      settingsFromEnvironment({ OLLAMA_HOST: 'gpu:1234', INFERNET_ENGINE: 'stub' }).engine?.url,
    ).toBeUndefined();
  });

  it('normalises the forms Ollama accepts', () => {
    expect(normalizeOllamaHost('gpu-box')).toBe('http://gpu-box:11434');
    expect(normalizeOllamaHost('https://ollama.example')).toBe('https://ollama.example');
    expect(normalizeOllamaHost('http://10.0.0.2:8080/')).toBe('http://10.0.0.2:8080');
  });
});

describe('mergeSettings', () => {
  it('merges field by field and never lets undefined erase a value', () => {
    expect(
      mergeSettings(
        { engine: { kind: 'ollama', url: 'http://x:1' } },
        { engine: { kind: 'stub', url: undefined } },
      ),
    ).toEqual({ engine: { kind: 'stub', url: 'http://x:1' } });
  });
});
