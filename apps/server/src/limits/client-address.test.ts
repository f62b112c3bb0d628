import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { clientAddress, normaliseAddress } from './client-address';

describe('normaliseAddress', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6 and refuses what is not an address', () => {
    expect(normaliseAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(normaliseAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(normaliseAddress('not-an-address')).toBeUndefined();
    expect(normaliseAddress('')).toBeUndefined();
    expect(normaliseAddress(undefined)).toBeUndefined();
  });

  it('counts an IPv6 host by its /64, however the address is written', () => {
    expect(normaliseAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(normaliseAddress('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(normaliseAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(normaliseAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(normaliseAddress('::1')).toBe('0:0:0:0::/64');
  });
});

describe('clientAddress', () => {
  function appTrusting(trustedProxies: number) {
    const app = new Hono();
    app.get('/', (context) => context.text(clientAddress(context, trustedProxies) ?? 'unknown'));
    return async (peer: string, forwardedFor?: string) => {
      const response = await app.request(
        '/',
        { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} },
        { incoming: { socket: { remoteAddress: peer } } },
      );
      return response.text();
    };
  }

  it('uses the socket peer and ignores X-Forwarded-For unless proxies are trusted', async () => {
    const ask = appTrusting(0);
    expect(await ask('203.0.113.7', '198.51.100.9')).toBe('203.0.113.7');
  });

  it('behind trusted proxies, takes the entry they appended, not what the client wrote', async () => {
    expect(await appTrusting(1)('10.0.0.2', 'spoofed, 198.51.100.9')).toBe('198.51.100.9');
    expect(await appTrusting(2)('10.0.0.2', '1.1.1.1, 198.51.100.9, 10.0.0.1')).toBe(
      '198.51.100.9',
    );
    expect(await appTrusting(1)('10.0.0.2')).toBe('10.0.0.2');
    expect(await appTrusting(1)('10.0.0.2', 'garbage')).toBe('10.0.0.2');
  });

  it('says unknown where there is no socket (in-process requests)', async () => {
    const app = new Hono();
    app.get('/', (context) => context.text(clientAddress(context, 0) ?? 'unknown'));
    expect(await (await app.request('/')).text()).toBe('unknown');
  });
});
