// One measurement in a fresh process, for cold-start and memory figures: `node --expose-gc
// .cache/bench/child.mjs MODE` prints one JSON line. Timings cover the decode call only, after the
// file has been read; memory deltas span read + load, with the loaded object kept alive.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import maxmind, { Reader } from 'maxmind';
import { parseCsvBaseline } from './csv-baseline';
import { ours } from './ours';
import { COLUMNS_PATH, CSV_DIR, CSV_FILES, MMDB_PATH, TABLE_PATH } from './paths';

type Mode =
  | 'cold-node'
  | 'cold-web'
  | 'cold-columns'
  | 'cold-csv'
  | 'cold-mmdb'
  | 'mem-ours'
  | 'mem-columns'
  | 'mem-maxmind'
  | 'mem-geoip';

/** Keeps loaded objects reachable so gc cannot collect what we are measuring. */
const keep: unknown[] = [];

/** Wall time and process CPU time (every thread: zlib's pool included) of one load, ms. */
async function timed(load: () => unknown): Promise<{ ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  keep.push(await load());
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { ms: elapsed, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

async function memory(load: () => Promise<unknown>): Promise<Record<string, number>> {
  gc();
  const before = process.memoryUsage();
  keep.push(await load());
  gc();
  const after = process.memoryUsage();
  return {
    rss: after.rss - before.rss,
    heapUsed: after.heapUsed - before.heapUsed,
    arrayBuffers: after.arrayBuffers - before.arrayBuffers,
  };
}

async function run(mode: Mode): Promise<Record<string, number>> {
  switch (mode) {
    case 'cold-node': {
      const file = readFileSync(TABLE_PATH);
      return await timed(() => ours.decodeNode(file));
    }
    case 'cold-web': {
      const file = readFileSync(TABLE_PATH);
      return await timed(() => ours.decodeWeb(file));
    }
    case 'cold-columns': {
      // Deserializing stands in for IndexedDB's structured clone, which happens before our code runs.
      const columns = deserialize(readFileSync(COLUMNS_PATH)) as Parameters<
        typeof ours.fromColumns
      >[0];
      return await timed(() => ours.fromColumns(columns));
    }
    case 'cold-csv': {
      const [v4, v6] = CSV_FILES.num.map((f) => readFileSync(join(CSV_DIR, f)));
      return await timed(() => parseCsvBaseline(v4!, v6!));
    }
    case 'cold-mmdb': {
      const file = readFileSync(MMDB_PATH);
      return await timed(() => new Reader(file));
    }
    case 'mem-ours':
      return memory(() => ours.decodeNode(readFileSync(TABLE_PATH)));
    case 'mem-columns':
      return memory(async () => {
        const columns = deserialize(readFileSync(COLUMNS_PATH)) as Parameters<
          typeof ours.fromColumns
        >[0];
        return ours.fromColumns(columns);
      });
    case 'mem-maxmind':
      return memory(() => maxmind.open(MMDB_PATH));
    case 'mem-geoip':
      // geoip-lite reads its data files while the module loads, so the import is the load.
      return memory(() => import('geoip-lite'));
  }
}

const mode = process.argv[2] as Mode;
try {
  console.log(JSON.stringify(await run(mode)));
} catch (error) {
  console.log(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
}
