import { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenDualStack } from './p2p-server';

/** A server double whose `listen` fails with `code` on the hosts named. */
function fakeServer(failures: Record<string, string>) {
  const calls: { host: string; ipv6Only?: boolean }[] = [];
  const server = Object.assign(new EventEmitter(), {
    listen(options: { host: string; ipv6Only?: boolean }, ready: () => void) {
      calls.push({ host: options.host, ipv6Only: options.ipv6Only });
      const code = failures[options.host];
      if (code)
        queueMicrotask(() => server.emit('error', Object.assign(new Error(code), { code })));
      else queueMicrotask(ready);
    },
  });
  return { server: server as unknown as Server, calls };
}

describe('listenDualStack', () => {
  it('listens on :: for IPv6 and IPv4-mapped peers alike', async () => {
    const { server, calls } = fakeServer({});
    expect(await listenDualStack(server, 46337)).toBe('::');
    expect(calls).toEqual([{ host: '::', ipv6Only: false }]);
  });

  it('falls back to 0.0.0.0 where the host has no IPv6', async () => {
    const { server, calls } = fakeServer({ '::': 'EAFNOSUPPORT' });
    expect(await listenDualStack(server, 46337)).toBe('0.0.0.0');
    expect(calls.map((call) => call.host)).toEqual(['::', '0.0.0.0']);
  });

  it('does not hide a port that is taken', async () => {
    const { server, calls } = fakeServer({ '::': 'EADDRINUSE' });
    await expect(listenDualStack(server, 46337)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(calls).toHaveLength(1);
  });
});
