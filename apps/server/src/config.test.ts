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
});
