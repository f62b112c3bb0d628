import { describe, expect, it } from 'vitest';
import { MAX_CHAT_MESSAGES } from '@infernet/protocol';
import { loadConfig } from '../config';
import { DEFAULT_LIMIT_SETTINGS } from './limit-settings';

describe('limit settings', () => {
  it('defaults to limits a busy node never reaches', () => {
    const { limits, trustedProxies } = loadConfig({});
    expect(limits).toEqual(DEFAULT_LIMIT_SETTINGS);
    expect(trustedProxies).toBe(0);
    // 25 jobs (POLL_MAX_JOBS) each posting a token batch every 50 ms.
    expect(limits.nodeJobWritesPerSecond).toBeGreaterThan(25 * 20);
  });

  it('reads each limit from its variable, and turns them all off at once', () => {
    const config = loadConfig({
      INFERNET_RATE_LIMIT_CHAT_PER_MINUTE: '5',
      INFERNET_MAX_CHAT_MESSAGES: '10',
      INFERNET_TRUST_PROXY: '1',
    });
    expect(config.limits).toMatchObject({ chatSubmitsPerMinute: 5, maxChatMessages: 10 });
    expect(config.trustedProxies).toBe(1);
    const off = loadConfig({ INFERNET_RATE_LIMITS: 'off' }).limits;
    expect(off.chatSubmitsPerMinute + off.nodeRequestsPerMinute + off.streamsPerConsumer).toBe(0);
    expect(off.maxChatMessages).toBe(MAX_CHAT_MESSAGES);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ INFERNET_RATE_LIMIT_CHAT_PER_MINUTE: 'lots' })).toThrow(
      'INFERNET_RATE_LIMIT_CHAT_PER_MINUTE must be a whole number',
    );
    expect(() => loadConfig({ INFERNET_MAX_CHAT_MESSAGES: '1000' })).toThrow(
      `INFERNET_MAX_CHAT_MESSAGES must be 1-${MAX_CHAT_MESSAGES}`,
    );
    expect(() => loadConfig({ INFERNET_RATE_LIMITS: 'no' })).toThrow(
      'INFERNET_RATE_LIMITS must be on or off',
    );
    expect(() => loadConfig({ INFERNET_TRUST_PROXY: 'yes' })).toThrow(
      'INFERNET_TRUST_PROXY must be the number of proxies',
    );
  });
});
