import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { describeP2p, formatDuration } from '../commands/status';
import type { StatusData } from '../daemon/ipc-protocol';
import type { DashboardSnapshot, Earnings } from './dashboard-source';

const LABEL_WIDTH = 15;

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Box width={LABEL_WIDTH} flexShrink={0}>
        <Text dimColor>{label}</Text>
      </Box>
      <Text>{children}</Text>
    </Box>
  );
}

/**
 * How the dashboard runs: live with keys read (`q` quits), live without a
 * terminal on stdin (a signal ends it), or one frame for scripts (`--once`).
 */
export type DashboardMode = 'keys' | 'signal' | 'once';

/** The footer: how to leave, which depends on whether keys can be read. */
function Footer({ mode }: { mode: DashboardMode }) {
  if (mode === 'once') return null;
  return (
    <Box marginTop={1}>
      <Text dimColor>{mode === 'keys' ? 'q quits' : 'Ctrl-C quits'} · refreshes every second</Text>
    </Box>
  );
}

function connection(status: StatusData): string {
  if (status.connected === null) return 'connecting';
  if (status.connected) return 'connected';
  return `unreachable${status.lastContactAt ? ` (last answer ${status.lastContactAt})` : ''}`;
}

function describeEarnings(earnings: Earnings): string {
  switch (earnings.state) {
    case 'known':
      return `${earnings.balance} (balance on the control plane’s ledger)`;
    case 'unknown':
      return 'asking the control plane…';
    case 'unavailable':
      return 'not available from the control plane';
  }
}

/**
 * One frame of `infernet tui`: the daemon's state, its jobs, throughput,
 * earnings and latest errors, or what to do when no daemon runs.
 */
export function Dashboard({
  snapshot,
  mode,
}: {
  snapshot: DashboardSnapshot;
  mode: DashboardMode;
}) {
  if (snapshot.daemon === 'connecting') {
    return <Text>Connecting to the node daemon…</Text>;
  }
  if (snapshot.daemon === 'not-running') {
    return (
      <Box flexDirection="column">
        <Text color="yellow">No node daemon is running for this config.</Text>
        <Text>
          Start one with <Text bold>infernet start</Text>; this view picks it up once it runs.
        </Text>
        <Footer mode={mode} />
      </Box>
    );
  }
  if (snapshot.daemon === 'unreadable') {
    return (
      <Box flexDirection="column">
        <Text color="red">{snapshot.problem}</Text>
        <Footer mode={mode} />
      </Box>
    );
  }
  const { status, stats, earnings } = snapshot;
  const state = status.draining ? 'stopping (finishing running jobs)' : 'running';
  const rate =
    stats.tokens.perSecondRecent === null
      ? 'no answers yet'
      : `${stats.tokens.perSecondRecent.toFixed(1)} tokens/s (recent)`;
  const errors = status.recentErrors ?? [];
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold>Infernet node {status.name}</Text>
        <Text>
          {'  '}
          <Text color={status.draining ? 'yellow' : 'green'}>{state}</Text>, pid {status.pid}, up{' '}
          {formatDuration(status.uptimeSeconds)}
        </Text>
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Row label="Node id">{status.nodeId}</Row>
        <Row label="Registered">{status.registered ? 'yes' : 'not yet (retrying)'}</Row>
        <Row label="Control plane">
          {status.controlPlaneUrl} ({connection(status)})
        </Row>
        <Row label="P2P">{describeP2p(status.p2p)}</Row>
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Row label="Jobs">
          {status.jobs.length} running of {status.maxConcurrentJobs} · {stats.jobs.completed}{' '}
          completed · {stats.jobs.failed} failed
        </Row>
        {status.jobs.map((job) => (
          <Row key={job.id} label="">
            {job.id} {job.type} {job.model} {formatDuration(job.elapsedSeconds)}
          </Row>
        ))}
        <Row label="Tokens">
          {stats.tokens.served} served · {rate}
        </Row>
        <Row label="Earnings">{describeEarnings(earnings)}</Row>
      </Box>
      <Box flexDirection="column" marginTop={1}>
        <Text dimColor>Recent errors</Text>
        {errors.length === 0 ? (
          <Text>none</Text>
        ) : (
          errors.map((error, index) => (
            <Text key={`${error.at}-${index}`} color="red" wrap="truncate-end">
              {error.at} {error.message}
            </Text>
          ))
        )}
      </Box>
      <Footer mode={mode} />
    </Box>
  );
}
