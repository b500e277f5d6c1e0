// What the service worker itself saw, read over CDP: its resource-timing entries (the bundled
// table fetch, each DoH GET) and its heap figures. Used to split a navigation's latency into
// "waiting for the worker", "DoH" and "after the answer", and to report the worker's memory.
//
// The worker and the extension page that times navigations run in the extension's renderer
// process; both timestamps are performance.timeOrigin + performance.now() (epoch ms), so they can
// be compared to well under a millisecond.
import type { WorkerSend } from './browser';

export interface ResourceEntry {
  name: string;
  /** Epoch ms. */
  start: number;
  end: number;
}

export interface WorkerTimeline {
  /** When this worker instance started (epoch ms). */
  timeOrigin: number;
  resources: ResourceEntry[];
}

const TIMELINE_EXPRESSION = `JSON.stringify({
  timeOrigin: performance.timeOrigin,
  resources: performance.getEntriesByType('resource').map((e) => ({
    name: e.name, start: e.startTime, end: e.responseEnd,
  })),
})`;

/** Reads the worker's resource-timing entries, converted to epoch ms. */
export async function readTimeline(send: WorkerSend): Promise<WorkerTimeline> {
  const reply = await send<{ result: { value?: string }; exceptionDetails?: unknown }>(
    'Runtime.evaluate',
    { expression: TIMELINE_EXPRESSION, returnByValue: true },
  );
  if (reply.exceptionDetails || typeof reply.result.value !== 'string') {
    throw new Error(`reading the worker's timeline failed: ${JSON.stringify(reply)}`);
  }
  const raw = JSON.parse(reply.result.value) as WorkerTimeline;
  return {
    timeOrigin: raw.timeOrigin,
    resources: raw.resources.map((r) => ({
      name: r.name,
      start: raw.timeOrigin + r.start,
      end: raw.timeOrigin + r.end,
    })),
  };
}

/**
 * The question name of an RFC 8484 GET URL (`?dns=` base64url wire message), lower case without
 * the final dot; undefined for any other URL or a malformed message.
 */
export function dohQuestionName(url: string): string | undefined {
  let param: string | null;
  try {
    param = new URL(url).searchParams.get('dns');
  } catch {
    return undefined;
  }
  if (!param) return undefined;
  const wire = Buffer.from(param, 'base64url');
  const labels: string[] = [];
  let offset = 12; // the fixed DNS header
  for (let hops = 0; hops < 128; hops++) {
    const length = wire[offset];
    if (length === undefined || length > 63) return undefined;
    if (length === 0) return labels.join('.').toLowerCase();
    if (offset + 1 + length > wire.length) return undefined;
    labels.push(wire.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += 1 + length;
  }
  return undefined;
}

/** The span (earliest start, latest end) of the DoH requests for `hostname`, if any. */
export function dohSpan(timeline: WorkerTimeline, hostname: string): ResourceEntry | undefined {
  const mine = timeline.resources.filter((r) => dohQuestionName(r.name) === hostname);
  if (mine.length === 0) return undefined;
  return {
    name: hostname,
    start: Math.min(...mine.map((r) => r.start)),
    end: Math.max(...mine.map((r) => r.end)),
  };
}

/** Runtime.getHeapUsage of the worker isolate, in bytes. */
export interface HeapUsage {
  /** V8 JS heap in use: objects, strings, compiled code of everything the worker loaded. */
  usedSize: number;
  /** V8 JS heap reserved. */
  totalSize: number;
  /** Blink's C++ (Oilpan) heap: wrappers such as Response, IDB and fetch objects. */
  embedderHeapUsedSize: number;
  /** ArrayBuffer backing stores, outside the JS heap: the table's typed arrays live here. */
  backingStorageSize: number;
}

/** Heap figures of the worker before and after a forced full garbage collection. */
export async function readHeap(send: WorkerSend): Promise<{ before: HeapUsage; after: HeapUsage }> {
  const read = async (): Promise<HeapUsage> => {
    const usage = await send<Partial<HeapUsage>>('Runtime.getHeapUsage');
    return {
      usedSize: usage.usedSize ?? NaN,
      totalSize: usage.totalSize ?? NaN,
      embedderHeapUsedSize: usage.embedderHeapUsedSize ?? NaN,
      backingStorageSize: usage.backingStorageSize ?? NaN,
    };
  };
  const before = await read();
  await send('HeapProfiler.collectGarbage');
  // A second pass frees what the first one's finalisers released (the engine bench gc()s twice).
  await send('HeapProfiler.collectGarbage');
  return { before, after: await read() };
}

/** Durations of the I/O steps of the worker's start-up, re-run inside a running worker. */
export interface StartupSteps {
  /** fetch(runtime.getURL('/prefix-table.bin')) + arrayBuffer(), which every start-up does. */
  fetchBundledMs: number;
  bundledBytes: number;
  /** indexedDB.open of the extension's database (no upgrade). */
  openDbMs: number;
  /** get('pointers', 'active') then get('tables', id) and its image Blob's arrayBuffer(). */
  readTableMs: number;
  /** Bytes of the stored table image. */
  columnBytes: number;
}

// Reads only: opens the database at its current version and closes it again, so the worker's own
// connection is never blocked and nothing is written. Store names follow lib/storage/database.ts.
const STARTUP_EXPRESSION = `(async () => {
  const api = globalThis.browser ?? globalThis.chrome;
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  let t = performance.now();
  const bytes = await (await fetch(api.runtime.getURL('/prefix-table.bin'))).arrayBuffer();
  const fetchBundledMs = performance.now() - t;
  t = performance.now();
  const db = await request(indexedDB.open('carrierflag'));
  const openDbMs = performance.now() - t;
  t = performance.now();
  const get = (store, key) => request(db.transaction(store).objectStore(store).get(key));
  const active = await get('pointers', 'active');
  const record = active ? await get('tables', active.tableId) : undefined;
  if (!record) throw new Error('no active table in IndexedDB');
  const columnBytes = (await record.image.arrayBuffer()).byteLength;
  const readTableMs = performance.now() - t;
  db.close();
  return JSON.stringify({ fetchBundledMs, bundledBytes: bytes.byteLength, openDbMs, readTableMs, columnBytes });
})()`;

/** Times the start-up's fetch and IndexedDB read once inside the running worker. */
export async function probeStartupSteps(send: WorkerSend): Promise<StartupSteps> {
  const reply = await send<{ result: { value?: string }; exceptionDetails?: unknown }>(
    'Runtime.evaluate',
    { expression: STARTUP_EXPRESSION, awaitPromise: true, returnByValue: true },
  );
  if (reply.exceptionDetails || typeof reply.result.value !== 'string') {
    throw new Error(`start-up probe failed: ${JSON.stringify(reply.exceptionDetails ?? reply)}`);
  }
  return JSON.parse(reply.result.value) as StartupSteps;
}
