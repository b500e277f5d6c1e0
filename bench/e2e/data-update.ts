// Routing data update bench (issue 9): one "Update now" in the real Chromium worker of the built
// extension, against the tests' routing data server on loopback (tests/e2e/support/
// routing-data-server.ts: the pinned CSVs with one range moved, gzip-encoded as a CDN sends them).
//
// Method:
// - Each run publishes a newer version first, so every run downloads, reads, builds, checks and
//   stores a whole table (a 304 would measure nothing). Runs after the first reuse the worker's JIT.
// - Time: the `update-data-now` message sent from an extension page → its reply, which comes after
//   the new table is stored and in use. On loopback the download is the streamed reading of the
//   bytes as they arrive, so this is "bytes → switched table" plus a loopback transfer.
// - CPU: the service worker thread's own CPU time (Linux schedstat) over the same span.
// - Memory: CDP Runtime.getHeapUsage of the worker (JS heap used + ArrayBuffers), sampled as often
//   as the CDP round trip allows (about every 10–30 ms) during the update; the peak of the samples
//   is a lower bound of the true peak (a spike between two samples is missed).
// - After: heap + ArrayBuffers after two full GCs once the update has answered (the new table in use).
// - Download size: the body bytes the server sent (gzip level 6) and the files' raw size.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  startRoutingDataServer,
  type RoutingDataServer,
} from '../../tests/e2e/support/routing-data-server';
import { bytes, int, median, mib, ms, printTable, section } from '../report';
import { record } from '../results';
import { launch, sendFrom, withTimeout, WorkerControl } from './browser';
import { serviceWorkerThreads, processesOf, threadCpuMs } from './cpu';
import { readHeap } from './timeline';

export interface DataUpdateOptions {
  extensionPath: string;
  runs: number;
}

export const DEFAULT_DATA_UPDATE_OPTIONS: Omit<DataUpdateOptions, 'extensionPath'> = { runs: 3 };

/** A generous ceiling for one update on a loaded 2-core machine (the e2e tests allow 7 min). */
const UPDATE_TIMEOUT_MS = 420_000;

interface Run {
  ms: number;
  /** Heap + ArrayBuffers after the update and two full GCs: what stays with the new table. */
  afterGcBytes: number;
  cpuMs: number;
  peakBytes: number;
  samples: number;
  wireBytes: number;
  rawBytes: number;
  outcome: string;
}

async function oneRun(
  page: Page,
  control: WorkerControl,
  routing: RoutingDataServer,
  profile: string,
  moved: boolean,
): Promise<Run> {
  routing.publishNewer({ moved });
  routing.log.length = 0;
  const [thread] = serviceWorkerThreads(processesOf(profile));
  if (!thread) throw new Error('no ServiceWorker thread found in the browser processes');
  let peakBytes = 0;
  let samples = 0;
  let done = false;
  const sampling = control.inWorker(async (send) => {
    while (!done) {
      const usage = await send<{ usedSize?: number; backingStorageSize?: number }>(
        'Runtime.getHeapUsage',
      );
      const total = (usage.usedSize ?? NaN) + (usage.backingStorageSize ?? NaN);
      if (Number.isFinite(total)) peakBytes = Math.max(peakBytes, total);
      samples++;
    }
  });
  const cpuBefore = threadCpuMs(thread);
  const t0 = performance.now();
  let reply: { last?: { result: string; message: string } | null };
  try {
    reply = await withTimeout(
      sendFrom<typeof reply>(page, { type: 'update-data-now' }),
      UPDATE_TIMEOUT_MS,
      'update-data-now did not answer',
    );
  } finally {
    done = true;
  }
  const elapsed = performance.now() - t0;
  const cpuMs = threadCpuMs(thread) - cpuBefore;
  await sampling;
  const { after } = await control.inWorker(readHeap);
  if (reply.last?.result !== 'updated') {
    throw new Error(`the update did not switch tables: ${reply.last?.message ?? 'no outcome'}`);
  }
  const sent = routing.log.filter((r) => r.status === 200);
  return {
    ms: elapsed,
    afterGcBytes: after.usedSize + after.backingStorageSize,
    cpuMs,
    peakBytes,
    samples,
    wireBytes: sent.reduce((n, r) => n + (r.bytes ?? 0), 0),
    rawBytes: sent.reduce((n, r) => n + (r.rawBytes ?? r.bytes ?? 0), 0),
    outcome: reply.last.message,
  };
}

/** Runs the section and records its rows; throws when it cannot run at all. */
export async function benchDataUpdate(options: DataUpdateOptions): Promise<Run[]> {
  section('E2E routing data update: "Update now" in the Chromium worker (loopback, gzip)');
  const routing = await startRoutingDataServer({ gzip: true });
  const profile = await mkdtemp(join(tmpdir(), 'carrierflag-bench-update-'));
  const runs: Run[] = [];
  try {
    // No DoH server: nothing here resolves names, so no certificate needs trusting.
    const browser = await launch(profile, options.extensionPath, '');
    try {
      const page = await browser.context.newPage();
      await page.goto(`chrome-extension://${browser.extensionId}/manifest.json`);
      const saved = await sendFrom<{ ok: boolean; reason?: string }>(page, {
        type: 'save-data-update-settings',
        // As the defaults are: the data, then an IPtoASN-like file that cross-checks the carriers.
        dataUpdate: { automatic: false, sources: [routing.url, routing.iptoasnUrl] },
      });
      if (!saved.ok) throw new Error(`the worker refused the routing data URL: ${saved.reason}`);
      const control = await WorkerControl.open(browser.context, page, browser.extensionId);
      try {
        for (let i = 0; i < options.runs; i++) {
          runs.push(await oneRun(page, control, routing, profile, i % 2 === 0));
        }
      } finally {
        await control.close();
      }
    } finally {
      await browser.context.close();
    }
  } finally {
    await routing.close();
    await rm(profile, { recursive: true, force: true });
  }

  console.log(`  load average at the end: ${loadavg()[0]!.toFixed(1)}`);
  printTable(
    [
      'run',
      'start → switched table',
      'worker CPU',
      'peak heap + ArrayBuffers',
      'samples',
      'after, GC',
    ],
    runs.map((r, i) => [
      i === 0 ? `${i + 1} (first: cold JIT)` : String(i + 1),
      ms(r.ms),
      ms(r.cpuMs),
      mib(r.peakBytes),
      int(r.samples),
      mib(r.afterGcBytes),
    ]),
  );
  const first = runs[0]!;
  printTable(
    ['download (both files)', 'bytes'],
    [
      ['on the wire (gzip level 6, as sent by the test server)', bytes(first.wireBytes)],
      ['raw CSV', bytes(first.rawBytes)],
    ],
  );
  console.log(
    `  outcome: ${first.outcome}\n` +
      '  Peak memory is the largest of the sampled readings (a lower bound). Not measured: Firefox,\n' +
      '  a real network, brotli from the real CDN (over https Chromium also accepts br).',
  );
  const timeMedian = median(runs.map((r) => r.ms));
  record({
    name: 'routing data update in the Chromium worker, start → switched table (loopback, median)',
    unit: 'ms',
    ours: timeMedian,
    peer: null,
    ratio: null,
    target: null,
    pass: null,
  });
  record({
    name: 'routing data update: worker thread CPU (median)',
    unit: 'ms',
    ours: median(runs.map((r) => r.cpuMs)),
    peer: null,
    ratio: null,
    target: null,
    pass: null,
  });
  record({
    name: 'routing data update: peak worker JS heap + ArrayBuffers (sampled, largest run)',
    unit: 'MiB',
    ours: Math.max(...runs.map((r) => r.peakBytes)) / 2 ** 20,
    peer: null,
    ratio: null,
    target: null,
    pass: null,
  });
  record({
    name: 'routing data update: worker JS heap + ArrayBuffers after the switch and a full GC (last run)',
    unit: 'MiB',
    ours: runs[runs.length - 1]!.afterGcBytes / 2 ** 20,
    peer: null,
    ratio: null,
    target: null,
    pass: null,
  });
  record({
    name: 'routing data update: download on the wire (gzip), both files',
    unit: 'B',
    ours: first.wireBytes,
    peer: null,
    ratio: null,
    target: null,
    pass: null,
  });
  record({
    name: 'routing data update: download raw (CSV), both files',
    unit: 'B',
    ours: first.rawBytes,
    peer: null,
    ratio: null,
    target: null,
    pass: null,
  });
  return runs;
}
