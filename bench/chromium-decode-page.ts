// The page side of bench/chromium-decode.ts, bundled for the browser: the extension's own table
// code (lib/prefix-table, lib/table-loader, lib/storage) run in a real Chromium page, timed with
// the page's clock. Exposed as `globalThis.decodeBench`.
import { decodeTable, readTableMeta, type PrefixTable, type TableCodec } from '../lib/prefix-table';
import { createWebTableCodec, inflateRawStream } from '../lib/prefix-table/web-codec';
import { openDatabase } from '../lib/storage/database';
import { loadTable, tableIdOf } from '../lib/table-loader';

/** AS4134 Chinanet: one lookup proves the table is queryable and right. */
const PROBE = { address: '1.48.0.1', asn: 4134 };

let bundled: Uint8Array | undefined;
/** Keeps decoded tables alive until the next call, as the worker keeps its one table. */
let current: PrefixTable | undefined;

function queryable(table: PrefixTable): PrefixTable {
  const r = table.lookup(PROBE.address);
  if (r.kind !== 'routed' || r.asn !== PROBE.asn) {
    throw new Error(`${PROBE.address} gave ${JSON.stringify(r)}, expected AS${PROBE.asn}`);
  }
  return table;
}

function bytes(): Uint8Array {
  if (!bundled) throw new Error('fetchBundled() first');
  return bundled;
}

/** The web codec as it was before issue 10: every part's stream starts at once. */
function concurrentCodec(): TableCodec {
  const web = createWebTableCodec();
  return {
    inflateRaw: (b, rawLength) => inflateRawStream(DecompressionStream, b, rawLength),
    sha256: (b) => web.sha256(b),
  };
}

function loaderDeps(file: Uint8Array) {
  return {
    // The build embeds this id in the worker, so a restart never reads the bundled file.
    bundledTableId: tableIdOf(readTableMeta(file)),
    fetchBundled: () => Promise.resolve(file),
    openDatabase: () => openDatabase(indexedDB),
    codec: createWebTableCodec(),
    now: Date.now,
  };
}

const api = {
  /** fetch + arrayBuffer of the table file, as the worker's fetchBundled does; ms. */
  async fetchBundled(): Promise<number> {
    const t0 = performance.now();
    const response = await fetch('/prefix-table.bin');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bundled = new Uint8Array(await response.arrayBuffer());
    return performance.now() - t0;
  },
  /** Bundled bytes → queryable table (decodeTable with the web codec, one lookup); ms. */
  async decode(inflate: 'one after another' | 'concurrent'): Promise<number> {
    const file = bytes();
    current = undefined;
    const t0 = performance.now();
    const codec = inflate === 'concurrent' ? concurrentCodec() : createWebTableCodec();
    const table = queryable(await decodeTable(file, codec));
    const elapsed = performance.now() - t0;
    current = table;
    return elapsed;
  },
  /**
   * lib/table-loader's loadTable as the worker calls it; on a fresh profile that is the first run
   * (decode + import into IndexedDB), afterwards a restart (IndexedDB → queryable). ms and origin.
   */
  async load(): Promise<{ ms: number; origin: string; problems: string[] }> {
    const deps = loaderDeps(bytes());
    current = undefined;
    const t0 = performance.now();
    const loaded = await loadTable(deps);
    queryable(loaded.table);
    const elapsed = performance.now() - t0;
    current = loaded.table;
    return { ms: elapsed, origin: loaded.origin, problems: loaded.problems };
  },
  /**
   * Lets go of the bundled file's bytes, which a restarted worker never reads (the build embeds
   * the table id): the heap reading after a restart then holds what the worker holds.
   */
  releaseBundled(): void {
    bundled = undefined;
  },
  /** Whether a table is held (so a heap reading includes one). */
  holdsTable: (): boolean => current !== undefined,
};

(globalThis as { decodeBench?: typeof api }).decodeBench = api;
export type DecodeBenchApi = typeof api;
