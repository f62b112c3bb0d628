import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('takes an optional REDIS_URL and names the expected form when it is wrong', () => {
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
    expect(loadConfig({ REDIS_URL: 'rediss://cache.internal:6380/0' }).redisUrl).toBe(
      'rediss://cache.internal:6380/0',
    );
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(
      /REDIS_URL must start with redis:\/\/ or rediss:\/\//,
    );
  });

  it('reads model aliases and prices as JSON objects, naming the variable when they are wrong', () => {
    const config = loadConfig({
      INFERNET_MODEL_ALIASES: '{"gpt-4o-mini":"llama3.2:1b"}',
      INFERNET_MODEL_PRICES: '{"llama3.2:1b":"0.2"}',
    });
    expect(config.modelAliases).toEqual({ 'gpt-4o-mini': 'llama3.2:1b' });
    expect(config.modelPrices).toEqual({ 'llama3.2:1b': '0.2' });
    expect(() => loadConfig({ INFERNET_MODEL_ALIASES: 'gpt-4o-mini=llama' })).toThrow(
      /INFERNET_MODEL_ALIASES must be a JSON object/,
    );
    expect(() => loadConfig({ INFERNET_MODEL_ALIASES: '{"a":"has spaces"}' })).toThrow(
      /model names/,
    );
  });

  it('reads the queue bound and deadline, and the optional NVIDIA NIM fallback', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({ queueMaxPerModel: 100, queueDeadlineSeconds: 120 });
    expect(defaults.nim).toEqual({
      apiKey: undefined,
      apiUrl: 'https://integrate.api.nvidia.com/v1',
      defaultModel: 'meta/llama-3.1-8b-instruct',
    });
    const config = loadConfig({
      INFERNET_QUEUE_MAX_PER_MODEL: '5',
      INFERNET_QUEUE_DEADLINE_SECONDS: '30',
      NVIDIA_NIM_API_KEY: 'nvapi-secret',
      NVIDIA_NIM_API_URL: 'http://127.0.0.1:9000/v1',
      NVIDIA_NIM_DEFAULT_MODEL: 'mistralai/mistral-7b-instruct-v0.3',
    });
    expect(config).toMatchObject({ queueMaxPerModel: 5, queueDeadlineSeconds: 30 });
    expect(config.nim).toEqual({
      apiKey: 'nvapi-secret',
      apiUrl: 'http://127.0.0.1:9000/v1',
      defaultModel: 'mistralai/mistral-7b-instruct-v0.3',
    });
    expect(() => loadConfig({ INFERNET_QUEUE_MAX_PER_MODEL: '0' })).toThrow(
      /INFERNET_QUEUE_MAX_PER_MODEL must be at least 1/,
    );
    expect(() => loadConfig({ INFERNET_QUEUE_DEADLINE_SECONDS: 'soon' })).toThrow(
      /INFERNET_QUEUE_DEADLINE_SECONDS must be a number of seconds/,
    );
    const badUrl = () =>
      loadConfig({ NVIDIA_NIM_API_KEY: 'nvapi-secret', NVIDIA_NIM_API_URL: 'nim' });
    expect(badUrl).toThrow(/NVIDIA_NIM_API_URL must be an http\(s\) URL/);
    // An error about the fallback never repeats its key.
    expect(badUrl).not.toThrow(/nvapi-secret/);
  });

  it('reads the provider image and the RunPod API host for one-click launches', () => {
    expect(loadConfig({}).cloudDeploy).toEqual({
      providerImage: 'ghcr.io/profullstack/infernet-provider-ollama:latest',
      runpodApiUrl: 'https://api.runpod.io',
    });
    const config = loadConfig({
      INFERNET_PROVIDER_IMAGE: 'registry.example/infernet-provider:1.2.3',
      INFERNET_RUNPOD_API_URL: 'http://127.0.0.1:9100',
    });
    expect(config.cloudDeploy).toEqual({
      providerImage: 'registry.example/infernet-provider:1.2.3',
      runpodApiUrl: 'http://127.0.0.1:9100',
    });
    expect(() => loadConfig({ INFERNET_RUNPOD_API_URL: 'runpod' })).toThrow(
      /INFERNET_RUNPOD_API_URL must be an http\(s\) URL/,
    );
    expect(() => loadConfig({ INFERNET_PROVIDER_IMAGE: 'an image; rm -rf /' })).toThrow(
      /INFERNET_PROVIDER_IMAGE must be an image reference/,
    );
  });
});
