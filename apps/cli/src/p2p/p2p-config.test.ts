import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config';
import { settingsFromFlags } from '../context';
import { childArguments } from '../daemon/detach';

describe('P2P settings', () => {
  it('default to port 46337, on', () => {
    expect(resolveConfig({ environment: { HOME: '/h' } }).p2p).toEqual({
      enabled: true,
      port: 46337,
    });
  });

  it('follow flags > environment > file', () => {
    const file = { p2p: { enabled: true, port: 40000 } };
    const environment = { HOME: '/h', INFERNET_P2P_PORT: '41000', INFERNET_P2P: 'off' };
    expect(resolveConfig({ environment: { HOME: '/h' }, file }).p2p).toEqual({
      enabled: true,
      port: 40000,
    });
    expect(resolveConfig({ environment, file }).p2p).toEqual({ enabled: false, port: 41000 });
    const flags = settingsFromFlags({ p2pPort: '42000', p2p: true });
    expect(resolveConfig({ environment, file, flags }).p2p).toEqual({
      enabled: false,
      port: 42000,
    });
    expect(
      resolveConfig({ environment: { HOME: '/h' }, file, flags: settingsFromFlags({ p2p: false }) })
        .p2p.enabled,
    ).toBe(false);
  });

  it('refuse a bad port or switch, naming where it came from', () => {
    expect(() =>
      resolveConfig({ environment: { HOME: '/h', INFERNET_P2P_PORT: '70000' } }),
    ).toThrow(/environment.*p2p\.port/);
    expect(() => resolveConfig({ environment: { HOME: '/h', INFERNET_P2P: 'maybe' } })).toThrow(
      /INFERNET_P2P must be on or off/,
    );
    expect(() => settingsFromFlags({ p2pPort: 'x' })).toThrow(/command-line flags.*p2p\.port/);
  });

  it('pass --p2p-port and --no-p2p on to the detached daemon', () => {
    expect(childArguments({ p2pPort: '5000', p2p: false })).toEqual(
      expect.arrayContaining(['--p2p-port', '5000', '--no-p2p']),
    );
    expect(childArguments({})).not.toContain('--no-p2p');
  });
});
