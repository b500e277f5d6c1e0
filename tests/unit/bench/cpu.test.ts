import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  cpuDeltaMs,
  processCpuMs,
  processesOf,
  serviceWorkerThreads,
  threadCpuMs,
} from '../../../bench/e2e/cpu';

/** Keeps this thread on a CPU for about `ms` milliseconds. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy on purpose */
  }
}

describe.runIf(process.platform === 'linux')('bench CPU readings from /proc', () => {
  it("counts this process's and its main thread's CPU time as it works", () => {
    const thread = { pid: process.pid, tid: process.pid };
    const before = processCpuMs([process.pid]);
    const threadBefore = threadCpuMs(thread);
    spin(200);
    const after = processCpuMs([process.pid]);
    const threadAfter = threadCpuMs(thread);
    // On a loaded machine the spin may get less than its wall time, but never nothing.
    expect(cpuDeltaMs(before, after)).toBeGreaterThan(0);
    expect(threadAfter - threadBefore).toBeGreaterThan(10);
    expect(threadAfter - threadBefore).toBeLessThan(60_000);
  });

  it('counts a process that started between two readings from zero, and drops one that went', () => {
    const before = new Map([
      [1, 100],
      [2, 50],
    ]);
    const after = new Map([
      [1, 130],
      [3, 20],
    ]);
    expect(cpuDeltaMs(before, after)).toBe(30 + 20);
  });

  it('finds processes by a marker on their command line, and no service worker thread in Node', async () => {
    const marker = `carrierflag-cpu-test-${process.pid}`;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', marker]);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(processesOf(marker)).toEqual([child.pid]);
      expect(serviceWorkerThreads([child.pid!])).toEqual([]);
    } finally {
      child.kill();
    }
  });

  it('reads a gone thread as NaN, not as zero', () => {
    expect(threadCpuMs({ pid: 2 ** 22 + 1, tid: 2 ** 22 + 1 })).toBeNaN();
    expect(processCpuMs([2 ** 22 + 1]).size).toBe(0);
  });
});
