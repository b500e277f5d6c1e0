// CPU time of a Chromium's processes and of its extension service worker thread, read from Linux's
// /proc (the benchmark runs on Linux only). Unlike a sampling profiler this counts time on a CPU,
// not wall time, so a loaded machine that leaves a thread waiting for a core does not inflate it.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ; 100 on Linux). */
const USER_HZ = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread has gone: normal between a listing and a read
  }
}

/** The pids of every process launched with `profileDir` (its --user-data-dir) on its command line. */
export function processesOf(profileDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // Chromium rewrites its children's argv into one string: search the whole text.
    const cmdline = read(`/proc/${entry}/cmdline`);
    if (cmdline?.includes(profileDir)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * CPU time (user + system) of each process, ms, including its threads that have already exited.
 * Resolution 1/USER_HZ s (10 ms); sum many samples before comparing.
 */
export function processCpuMs(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (Number.isFinite(utime) && Number.isFinite(stime)) {
      out.set(pid, ((utime + stime) * 1000) / USER_HZ);
    }
  }
  return out;
}

/**
 * CPU ms the processes used between two readings: processes that started in between count from
 * zero; ones that exited in between are lost (their last interval goes uncounted).
 */
export function cpuDeltaMs(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

export interface ThreadId {
  pid: number;
  tid: number;
}

/** The thread named "ServiceWorker thread" (comm is cut to 15 characters) among `pids`. */
export function serviceWorkerThreads(pids: readonly number[]): ThreadId[] {
  const found: ThreadId[] = [];
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      if (read(`/proc/${pid}/task/${task}/comm`)?.startsWith('ServiceWorker')) {
        found.push({ pid, tid: Number(task) });
      }
    }
  }
  return found;
}

/** Time the thread has spent on a CPU, ms (schedstat, nanosecond resolution); NaN once it is gone. */
export function threadCpuMs(thread: ThreadId): number {
  const schedstat = read(`/proc/${thread.pid}/task/${thread.tid}/schedstat`);
  const ns = Number(schedstat?.split(' ')[0]);
  return schedstat && Number.isFinite(ns) ? ns / 1e6 : NaN;
}

/** One thread's CPU time as schedstat reports it. */
export interface ThreadReading extends ThreadId {
  /** The thread's name (comm, at most 15 characters). */
  name: string;
  ms: number;
}

/**
 * Every thread of `pids` with its CPU time (ms, from /proc/<pid>/task/<tid>/schedstat: nanosecond
 * resolution), keyed `pid/tid`. Threads that exit between two readings lose their last interval;
 * Chromium's busy threads (main, IO, network, service worker) live as long as their process.
 */
export function threadReadings(pids: readonly number[]): Map<string, ThreadReading> {
  const out = new Map<string, ThreadReading>();
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      const tid = Number(task);
      const ms = threadCpuMs({ pid, tid });
      if (!Number.isFinite(ms)) continue;
      const name = read(`/proc/${pid}/task/${task}/comm`)?.trim() ?? '';
      out.set(`${pid}/${tid}`, { pid, tid, name, ms });
    }
  }
  return out;
}

/**
 * CPU ms used between two `threadReadings` by the threads `include` accepts (all by default):
 * threads that started in between count from zero.
 */
export function threadDeltaMs(
  before: ReadonlyMap<string, ThreadReading>,
  after: ReadonlyMap<string, ThreadReading>,
  include: (thread: ThreadReading) => boolean = () => true,
): number {
  let total = 0;
  for (const [key, thread] of after) {
    if (include(thread)) total += thread.ms - (before.get(key)?.ms ?? 0);
  }
  return total;
}
