import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { useEffect, type ReactNode } from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@infernet/testkit';
import { systemClock } from '../daemon/clock';
import type { StatsData, StatusData } from '../daemon/ipc-protocol';
import { startIpcServer, type IpcServer } from '../daemon/ipc-server';
import { recordingLogger } from '../testing/recording-logger';
import { Dashboard } from './dashboard';
import { createDashboardSource, type DashboardSource } from './dashboard-source';
import { TuiApp } from './tui-app';

const STATUS: StatusData = {
  pid: 4242,
  startedAt: '2026-03-01T12:00:00.000Z',
  uptimeSeconds: 245,
  nodeId: 'node-0123456789abcdef',
  name: 'edge-01',
  controlPlaneUrl: 'http://cp.test',
  registered: true,
  connected: true,
  lastContactAt: '2026-03-01T12:04:05.000Z',
  draining: false,
  maxConcurrentJobs: 2,
  jobs: [{ id: 'job-7', type: 'chat', model: 'llama3.2:1b', elapsedSeconds: 3 }],
  logFile: null,
  p2p: { enabled: true, port: 46337, advertised: false },
  recentErrors: [{ at: '2026-03-01T12:03:00.000Z', message: 'job job-5 failed: engine crashed' }],
};

const STATS: StatsData = {
  uptimeSeconds: 245,
  jobs: { running: 1, completed: 12, failed: 1 },
  tokens: { served: 3456, perSecondRecent: 41.25 },
  earnings: null,
};

/** Renders `children` and resolves `unmounted` when Ink tears the tree down (the app exited). */
function Watched({ children, onUnmount }: { children: ReactNode; onUnmount: () => void }) {
  useEffect(() => onUnmount, [onUnmount]);
  return <>{children}</>;
}

const text = (frame: string | undefined) => stripVTControlCharacters(frame ?? '');

describe('infernet tui', () => {
  let directory: string;
  let socketPath: string;
  let server: IpcServer | undefined;
  let status: StatusData;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'infernet-tui-'));
    socketPath = join(directory, 'daemon.sock');
    status = STATUS;
  });
  afterEach(() => {
    server?.close();
    server = undefined;
    rmSync(directory, { recursive: true, force: true });
  });

  async function startDaemonSocket() {
    server = await startIpcServer({
      socketPath,
      logger: recordingLogger().logger,
      handlers: {
        ping: () => ({ pong: true, pid: 4242, version: '0.1.0', protocol: 1 }),
        status: () => status,
        stats: () => STATS,
        shutdown: () => ({ draining: true, pid: 4242, runningJobs: 0, drainTimeoutSeconds: 60 }),
      },
    });
  }

  function source(balance?: () => Promise<string>): DashboardSource {
    return createDashboardSource({ socketPath, clock: systemClock, fetchBalance: balance });
  }

  it('shows the daemon’s state, jobs, tokens/s, earnings and errors from its socket', async () => {
    await startDaemonSocket();
    const app = render(<TuiApp source={source(async () => '0.0125')} refreshMs={20} />);
    try {
      const frame = await waitFor(
        () => {
          const current = text(app.lastFrame());
          return current.includes('0.0125') ? current : undefined;
        },
        { description: 'a frame with the balance' },
      );
      expect(frame).toContain('Infernet node edge-01  running, pid 4242, up 4 m 05 s');
      expect(frame).toMatch(/Node id\s+node-0123456789abcdef/);
      expect(frame).toMatch(/Control plane\s+http:\/\/cp\.test \(connected\)/);
      expect(frame).toMatch(/P2P\s+port 46337, not advertised \(outbound-only\)/);
      expect(frame).toMatch(/Jobs\s+1 running of 2 · 12 completed · 1 failed/);
      expect(frame).toContain('job-7 chat llama3.2:1b 3 s');
      expect(frame).toMatch(/Tokens\s+3456 served · 41\.3 tokens\/s \(recent\)/);
      expect(frame).toMatch(/Earnings\s+0\.0125 \(balance on the control plane’s ledger\)/);
      expect(frame).toContain('2026-03-01T12:03:00.000Z job job-5 failed: engine crashed');
      expect(frame).toContain('q quits');
    } finally {
      app.unmount();
    }
  });

  it('refreshes: a daemon that starts draining shows it on the next frame', async () => {
    await startDaemonSocket();
    const app = render(<TuiApp source={source()} refreshMs={20} />);
    try {
      await waitFor(() => text(app.lastFrame()).includes('running, pid'));
      status = { ...STATUS, draining: true, jobs: [], recentErrors: [] };
      const frame = await waitFor(() => {
        const current = text(app.lastFrame());
        return current.includes('stopping') ? current : undefined;
      });
      expect(frame).toContain('stopping (finishing running jobs)');
      expect(frame).toMatch(/Recent errors\s+none/);
      expect(frame).toMatch(/Earnings\s+not available from the control plane/);
    } finally {
      app.unmount();
    }
  });

  it('tells to run `infernet start` when no daemon runs, and picks one up once it does', async () => {
    const app = render(<TuiApp source={source()} refreshMs={20} />);
    try {
      const frame = await waitFor(() => {
        const current = text(app.lastFrame());
        return current.includes('No node daemon') ? current : undefined;
      });
      expect(frame).toContain('No node daemon is running for this config.');
      expect(frame).toContain('Start one with infernet start');
      await startDaemonSocket();
      await waitFor(() => text(app.lastFrame()).includes('edge-01'), {
        description: 'the dashboard of the daemon that started',
      });
    } finally {
      app.unmount();
    }
  });

  it('quits on q', async () => {
    await startDaemonSocket();
    let unmounted!: () => void;
    const exited = new Promise<void>((resolve) => (unmounted = resolve));
    const app = render(
      <Watched onUnmount={unmounted}>
        <TuiApp source={source()} refreshMs={20} />
      </Watched>,
    );
    await waitFor(() => text(app.lastFrame()).includes('edge-01'));
    app.stdin.write('x');
    app.stdin.write('q');
    // Ink unmounts the tree on exit, which ends the refresh loop with it.
    await exited;
  });

  it('prints one frame without the refresh footer in --once mode', () => {
    const app = render(
      <Dashboard
        snapshot={{
          daemon: 'running',
          status: { ...STATUS, p2p: { enabled: false, port: null, advertised: false } },
          stats: { ...STATS, tokens: { served: 0, perSecondRecent: null } },
          earnings: { state: 'unavailable' },
        }}
        mode="once"
      />,
    );
    const frame = text(app.lastFrame());
    expect(frame).toMatch(/P2P\s+off \(--no-p2p\)/);
    expect(frame).toMatch(/Tokens\s+0 served · no answers yet/);
    expect(frame).not.toContain('quits');
  });
});
