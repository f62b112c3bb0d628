import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import pg from 'pg';
import { REPOSITORY_ROOT } from '../../tests/e2e/src/processes';
import { startScript } from './child-process';
import { postJson } from './http-client';
import { median } from './statistics';

/** Long enough for an idle process to sleep and its caches to go cold, as between a chat's hops. */
const IDLE_GAP_MS = 50;
const BUSY_ROUNDS = 300;
const IDLE_ROUNDS = 40;

export interface HopCost {
  /** p50 ms, one right after another. */
  busy: number;
  /** p50 ms, each after `IDLE_GAP_MS` of nothing. */
  idle: number;
}

export interface HopFloor {
  /** A small POST answered by a bare `node:http` server in another process. */
  http: HopCost;
  /** A one-row UPDATE committed (a prepared statement, as the server's are). */
  commit: HopCost;
  idleGapMs: number;
}

async function cost(once: () => Promise<unknown>): Promise<HopCost> {
  const timed = async () => {
    const startedAt = performance.now();
    await once();
    return performance.now() - startedAt;
  };
  const busy: number[] = [];
  for (let round = 0; round < BUSY_ROUNDS; round += 1) busy.push(await timed());
  const idle: number[] = [];
  for (let round = 0; round < IDLE_ROUNDS; round += 1) {
    await pause(IDLE_GAP_MS);
    idle.push(await timed());
  }
  return { busy: median(busy), idle: median(idle) };
}

/**
 * What one hop costs on this machine today: an HTTP round trip between two
 * processes and a PostgreSQL commit, each measured back to back and after
 * an idle gap. A chat crosses several of both on its way to the first
 * token, mostly after such a gap at low load, so these figures set the
 * floor under `bench:ttft`'s added latency and explain much of its drift
 * between days: on the VM this was written on, a hop after 50 ms idle
 * cost three to five times one made back to back.
 */
export async function measureHopFloor(databaseUrl: string): Promise<HopFloor> {
  const relay = await startScript(
    join(REPOSITORY_ROOT, 'bench/support/pass-through-relay.ts'),
    /listening at (http:\/\/\S+)/,
  );
  const database = new pg.Client({ connectionString: databaseUrl });
  try {
    const relayUrl = new URL(relay.ready);
    const http = await cost(() => postJson(relayUrl, '/events/floor', '{"events":[]}'));
    await database.connect();
    // A real table: a temporary one writes no WAL, so its commits would wait for no flush.
    await database.query('CREATE TABLE hop_floor (id integer PRIMARY KEY, n bigint)');
    await database.query('INSERT INTO hop_floor VALUES (1, 0)');
    const commit = await cost(() =>
      database.query({
        name: 'hop_floor_commit',
        text: 'UPDATE hop_floor SET n = n + 1 WHERE id = $1',
        values: [1],
      }),
    );
    await database.query('DROP TABLE hop_floor');
    return { http, commit, idleGapMs: IDLE_GAP_MS };
  } finally {
    await database.end();
    await relay.stop();
  }
}

export function describeHopFloor(floor: HopFloor): string {
  const format = ({ busy, idle }: HopCost) =>
    `${busy.toFixed(2)} ms back to back, ${idle.toFixed(2)} ms after ${floor.idleGapMs} ms idle`;
  return `context: this machine's hops today (p50): HTTP round trip between two processes ${format(floor.http)}; PostgreSQL commit ${format(floor.commit)}`;
}
