import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc accounting; 100 on every common Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  parentPid: number;
  cpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      parentPid: Number(fields[1]),
      // utime and stime are fields 14 and 15 of the whole line.
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) used so far by these processes; 0 for any that is gone. */
export function cpuSecondsOf(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + (readStat(pid)?.cpuSeconds ?? 0), 0);
}

/**
 * The PostgreSQL backends serving `databaseName` on this machine, found by
 * their process titles (`postgres: 15/main: user database host(port) …`);
 * none when the server runs elsewhere.
 */
function postgresBackendsOf(databaseName: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const title = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${databaseName} `)) {
        pids.push(Number(name));
      }
    } catch {
      // It exited while we looked.
    }
  }
  return pids;
}

/**
 * CPU seconds used by a changing set of processes (a connection pool opens
 * and closes backends): each read lists them again and adds what every
 * process seen so far had used when last seen. One that exits between two
 * reads is counted only up to the earlier read, so a figure may fall short
 * but never goes negative.
 */
function cumulativeCpuSecondsOf(list: () => readonly number[]): () => number {
  const lastSeen = new Map<number, number>();
  return () => {
    for (const pid of list()) {
      const stat = readStat(pid);
      if (stat) lastSeen.set(pid, stat.cpuSeconds);
    }
    let total = 0;
    for (const seconds of lastSeen.values()) total += seconds;
    return total;
  };
}

/** CPU seconds of the PostgreSQL backends of one database, as its pool opens and closes them. */
export function postgresCpuSecondsOf(databaseName: string): () => number {
  return cumulativeCpuSecondsOf(() => postgresBackendsOf(databaseName));
}

/** `root` and all its descendants (e.g. the tsx wrapper and the node process it starts). */
export function processTree(root: number): number[] {
  let all: ProcStat[];
  try {
    all = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => readStat(Number(name)))
      .filter((stat): stat is ProcStat => stat !== undefined);
  } catch {
    return [root];
  }
  const tree = [root];
  for (let index = 0; index < tree.length; index += 1) {
    for (const stat of all) if (stat.parentPid === tree[index]) tree.push(stat.pid);
  }
  return tree;
}

/** Snapshot of CPU use for named groups of processes, to print shares of the machine later. */
export class CpuMeter {
  readonly #groups: Record<string, () => number>;
  #startedAt = 0;
  #start: Record<string, number> = {};

  constructor(groups: Record<string, () => number>) {
    this.#groups = groups;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#start = Object.fromEntries(
      Object.entries(this.#groups).map(([name, read]) => [name, read()]),
    );
  }

  /** Cores used by each group since `start` (1.0 = one core fully busy). */
  stop(): Record<string, number> {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    return Object.fromEntries(
      Object.entries(this.#groups).map(([name, read]) => [
        name,
        (read() - (this.#start[name] ?? 0)) / seconds,
      ]),
    );
  }
}

/** CPU seconds this Node process has used (all its threads). */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
