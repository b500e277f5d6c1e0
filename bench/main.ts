// `npm run bench`: our prefix table beside its peers, one run, as ratios.
//
// Started by scripts/bench.mjs, which bundles this file and bench/child.ts into .cache/bench/ once,
// so that no child process pays for bundling. Sections:
//   1. lookups/s on the same seeded samples, string input: ours vs maxmind (own ASN MMDB built
//      from the same CSVs) vs geoip-lite (country/city data), v4 and v6 separately;
//   2. sizes; 3. decode time, warm and cold; 4. memory of the loaded table.
// Benchmarks report, tests assert: the process exits 0 even when a target is missed.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { serialize } from 'node:v8';
import { gzipSync } from 'node:zlib';
import geoip from 'geoip-lite';
import maxmind, { Reader } from 'maxmind';
import { parseAsnCsv, type AsnCsv } from './asn-csv';
import { parseCsvBaseline } from './csv-baseline';
import { writeAsnMmdb, type MmdbAsnRange } from './mmdb-writer';
import type { IpAddress } from '../lib/ip/types';
import { ours, type OursTable } from './ours';
import { CSV_DIR, CSV_FILES, MMDB_PATH, TABLE_PATH, COLUMNS_PATH, CACHE_DIR } from './paths';
import { bytes, int, median, mib, ms, perSecond, printTable, ratio, section } from './report';
import { record, writeRows, type BenchRow } from './results';
import { countFlat, flatTexts, sampleV4, sampleV4Anywhere, sampleV6, type Sample } from './samples';

interface AsnRecord {
  autonomous_system_number: number;
  autonomous_system_organization: string;
}

const SEED = 20260617;
const V4_SAMPLE = 1_000_000;
const V6_SAMPLE = 100_000;
const PASSES = 5;
/** Addresses per timed chunk: ~10 ms of our lookups, long enough for CPU-time accounting. */
const CHUNK = 20_000;
const MEMORY_RUNS = 3;
/** Issue 10's target for the table file. */
const TABLE_SIZE_TARGET = 1_850_000;
const WARM_RUNS = 9;
const COLD_RUNS = 5;
const AGREEMENT_V4 = 100_000;
const AGREEMENT_ANYWHERE = 20_000;
/** The writer's own source is part of the cache key: editing it rebuilds the MMDB. */
const MMDB_WRITER_SOURCE = 'bench/mmdb-writer.ts';

const CHILD = resolve(CACHE_DIR, 'child.mjs');

interface Target {
  readonly name: string;
  readonly value: string;
  readonly pass: boolean;
}
const targets: Target[] = [];

function hashFiles(paths: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of paths) h.update(readFileSync(p));
  return h.digest('hex');
}

function* mmdbRanges(csv: AsnCsv): Generator<MmdbAsnRange> {
  const { v4, v6 } = csv;
  for (let i = 0; i < v4.first.length; i++) {
    yield {
      family: 4,
      first: BigInt(v4.first[i]!),
      last: BigInt(v4.last[i]!),
      asn: v4.asn[i]!,
      org: v4.org[i]!,
    };
  }
  for (let i = 0; i < v6.first.length; i++) {
    yield { family: 6, first: v6.first[i]!, last: v6.last[i]!, asn: v6.asn[i]!, org: v6.org[i]! };
  }
}

/** Builds the peer MMDB from the CSVs, or reuses the cached one if CSVs and writer are unchanged. */
function ensureMmdb(csv: AsnCsv): { path: string; built: boolean; ms: number } {
  const key = hashFiles([...CSV_FILES.num.map((f) => join(CSV_DIR, f)), MMDB_WRITER_SOURCE]);
  const stamp = `${MMDB_PATH}.key`;
  if (existsSync(MMDB_PATH) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) {
    return { path: MMDB_PATH, built: false, ms: 0 };
  }
  const t0 = performance.now();
  const file = writeAsnMmdb(mmdbRanges(csv), {
    description: 'CarrierFlag bench: @ip-location-db/asn',
  });
  const elapsed = performance.now() - t0;
  writeFileSync(MMDB_PATH, file);
  writeFileSync(stamp, key);
  return { path: MMDB_PATH, built: true, ms: elapsed };
}

/** Per-item cost of one engine over all timed passes. */
interface Timing {
  /** Median over the chunks of process CPU time (user + system, every thread) ÷ items, ns. */
  cpuNs: number;
  /** Median over the chunks of wall time ÷ items, ns. */
  wallNs: number;
}

/**
 * Times every pass on the same samples in interleaved chunks: for each chunk, each engine in turn
 * (the order rotating from chunk to chunk), so load from other processes on this shared machine
 * falls on every engine alike, within milliseconds. One untimed pass first fills caches and the
 * JIT. Each chunk's CPU time (process.cpuUsage) is kept: a process descheduled by the load does
 * not bill its wait to whoever was running. Medians over the chunks, not sums, because a garbage
 * collection falls on whichever chunk triggers it, often one engine paying for another's garbage.
 * Wall time per chunk is kept too, also as a median.
 */
function timeInterleaved<K extends string>(
  count: number,
  passes: number,
  run: Record<K, (from: number, to: number) => number>,
): Record<K, Timing> {
  const keys = Object.keys(run) as K[];
  const chunks = Math.max(1, Math.round(count / CHUNK));
  const bounds = (c: number): [number, number] => [
    Math.floor((c * count) / chunks),
    Math.floor(((c + 1) * count) / chunks),
  ];
  let sink = 0;
  for (const k of keys) sink ^= run[k](0, count);
  const cpu = new Map<K, number[]>(keys.map((k) => [k, []]));
  const wall = new Map<K, number[]>(keys.map((k) => [k, []]));
  for (let p = 0; p < passes; p++) {
    for (let c = 0; c < chunks; c++) {
      const [from, to] = bounds(c);
      for (let j = 0; j < keys.length; j++) {
        const k = keys[(j + c + p) % keys.length]!;
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        sink ^= run[k](from, to);
        const t1 = process.hrtime.bigint();
        const used = process.cpuUsage(c0);
        cpu.get(k)!.push(((used.user + used.system) * 1000) / (to - from));
        wall.get(k)!.push(Number(t1 - t0) / (to - from));
      }
    }
  }
  // The checksums feed a value the JIT cannot prove unused.
  if (sink === 0.5) console.log(sink);
  return Object.fromEntries(
    keys.map((k) => [k, { cpuNs: median(cpu.get(k)!), wallNs: median(wall.get(k)!) }]),
  ) as Record<K, Timing>;
}

// One loop per engine, so each call site stays monomorphic and no engine pays for another's.
function passOurs(table: OursTable, texts: readonly string[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum = (sum + ours.lookupAsn(table, texts[i]!)) | 0;
  return sum;
}

function passOursAsnOnly(
  table: OursTable,
  texts: readonly string[],
  from: number,
  to: number,
): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum = (sum + ours.lookupAsnOnly(table, texts[i]!)) | 0;
  return sum;
}

function passParse(texts: readonly string[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum = (sum + ours.parseAsLookupDoes(texts[i]!)) | 0;
  return sum;
}

function passOursNumeric(
  table: OursTable,
  addresses: readonly IpAddress[],
  from: number,
  to: number,
): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum = (sum + ours.lookupAddressAsn(table, addresses[i]!)) | 0;
  return sum;
}

function passMaxmind(
  reader: Reader<AsnRecord>,
  texts: readonly string[],
  from: number,
  to: number,
): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const record = reader.get(texts[i]!);
    sum =
      (sum +
        (record
          ? record.autonomous_system_number + record.autonomous_system_organization.length
          : 0)) |
      0;
  }
  return sum;
}

// The full-cache reader gets its own copy of the loop, so neither reader's call site sees both.
function passMaxmindFull(
  reader: Reader<AsnRecord>,
  texts: readonly string[],
  from: number,
  to: number,
): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const record = reader.get(texts[i]!);
    sum =
      (sum +
        (record
          ? record.autonomous_system_number + record.autonomous_system_organization.length
          : 0)) |
      0;
  }
  return sum;
}

function passGeoip(texts: readonly string[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum = (sum + (geoip.lookup(texts[i]!)?.country.length ?? 0)) | 0;
  return sum;
}

/** Counts addresses on which the engines agree with each other and with the CSV row. */
function agreement(
  table: OursTable,
  reader: Reader<AsnRecord>,
  sample: Sample,
  count: number,
): {
  n: number;
  oursVsMaxmind: number;
  oursVsCsv: number;
  maxmindVsCsv: number;
  orgEqual: number;
  firstMismatch?: string;
} {
  let orgEqual = 0;
  let oursVsMaxmind = 0;
  let oursVsCsv = 0;
  let maxmindVsCsv = 0;
  let firstMismatch: string | undefined;
  const n = Math.min(count, sample.text.length);
  for (let i = 0; i < n; i++) {
    const text = sample.text[i]!;
    const routed = ours.lookupRouted(table, text);
    const record = reader.get(text);
    const a = routed?.asn ?? 0;
    const m = record?.autonomous_system_number ?? 0;
    const e = sample.expectedAsn[i]!;
    // Org names went through two CSV readers (theirs and bench/asn-csv.ts): quoting must agree.
    if ((routed?.org ?? null) === (record?.autonomous_system_organization ?? null)) orgEqual++;
    if (a === m) oursVsMaxmind++;
    if (a === e) oursVsCsv++;
    if (m === e) maxmindVsCsv++;
    if ((a !== m || a !== e) && firstMismatch === undefined) {
      firstMismatch = `${text}: ours AS${a}, maxmind AS${m}, CSV AS${e} (0 = none)`;
    }
  }
  return { n, oursVsMaxmind, oursVsCsv, maxmindVsCsv, orgEqual, firstMismatch };
}

interface ChildResult {
  readonly ms?: number;
  readonly cpuMs?: number;
  readonly rss?: number;
  readonly heapUsed?: number;
  readonly arrayBuffers?: number;
  readonly error?: string;
}

/** Runs bench/child.ts (pre-bundled) in a fresh `node --expose-gc` and parses its JSON line. */
function runChild(mode: string): ChildResult {
  const r = spawnSync(process.execPath, ['--expose-gc', CHILD, mode], { encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as ChildResult;
  } catch {
    return {
      error: `child ${mode} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    };
  }
}

/** Median of each memory figure over MEMORY_RUNS fresh processes (RSS moves by pages and arenas). */
function memoryRuns(mode: string): ChildResult {
  const runs: ChildResult[] = [];
  for (let i = 0; i < MEMORY_RUNS; i++) {
    const r = runChild(mode);
    if (r.error !== undefined) return r;
    runs.push(r);
  }
  const pick = (f: (r: ChildResult) => number | undefined): number =>
    median(runs.map((r) => f(r) ?? NaN));
  return {
    rss: pick((r) => r.rss),
    heapUsed: pick((r) => r.heapUsed),
    arrayBuffers: pick((r) => r.arrayBuffers),
  };
}

/** Wall and CPU time of a step, medians over runs, ms. */
interface Timed {
  wall: number;
  cpu: number;
}

function coldRuns(mode: string): Timed | string {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const r = runChild(mode);
    if (r.ms === undefined || r.cpuMs === undefined) return r.error ?? 'no result';
    wall.push(r.ms);
    cpu.push(r.cpuMs);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** Process CPU time (zlib's thread pool included) and wall time of `run`, medians of WARM_RUNS. */
async function warmRuns(run: () => unknown): Promise<Timed> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    wall.push(performance.now() - t0);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/**
 * Records a figure for `.cache/bench.json`; one with a target is also listed, as `shown`, in the
 * closing "Targets" table.
 */
function figure(row: BenchRow, shown: string): void {
  record(row);
  if (row.target !== null) targets.push({ name: row.name, value: shown, pass: row.pass === true });
}

function parseArgs(argv: readonly string[]): { passes: number; lookupsOnly: boolean } {
  let passes = PASSES;
  let lookupsOnly = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lookups-only') lookupsOnly = true;
    else if (argv[i] === '--passes') {
      passes = Number(argv[++i]);
      if (!Number.isInteger(passes) || passes < 1 || passes > 50) {
        throw new Error(`--passes takes an integer 1..50, got ${String(argv[i])}`);
      }
    } else throw new Error(`unknown argument ${String(argv[i])}`);
  }
  return { passes, lookupsOnly };
}

async function main(): Promise<void> {
  const started = performance.now();
  const { passes, lookupsOnly } = parseArgs(process.argv.slice(2));
  const cpu = cpus();
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log('CarrierFlag benchmark: our prefix table beside its peers');
  console.log(
    `node ${process.version} · ${process.platform}/${process.arch} · ${cpu[0]?.model.trim() ?? 'unknown CPU'} · ${cpu.length} cores`,
  );
  console.log(
    `load average at start: ${load()} (other processes on these cores make figures noisier)`,
  );
  console.log(
    `seed ${SEED} · lookups: ${passes} timed passes in interleaved chunks of ~${int(CHUNK)} addresses, string input (parsing included) · decode: warm median of ${WARM_RUNS}, cold ${COLD_RUNS} fresh processes`,
  );
  mkdirSync(CACHE_DIR, { recursive: true });

  const csvBytes = CSV_FILES.num.map((f) => readFileSync(join(CSV_DIR, f)));
  const csv = parseAsnCsv(csvBytes[0]!.toString('utf8'), csvBytes[1]!.toString('utf8'));
  const mmdb = ensureMmdb(csv);
  const tableBytes = readFileSync(TABLE_PATH);
  console.log(
    `data: ${int(csv.v4.first.length)} v4 rows, ${int(csv.v6.first.length)} v6 rows (${csv.clipped} overlapping row end clipped) · ` +
      `MMDB ${mmdb.built ? `built in ${ms(mmdb.ms)}` : 'reused from cache'}: ${mmdb.path}`,
  );

  const table = await ours.decodeNode(tableBytes);
  const mmdbBuffer = readFileSync(mmdb.path);
  // maxmind.open() as users call it: default LRU cache of 10,000 decoded records.
  const mm = await maxmind.open<AsnRecord>(mmdb.path);
  // And with a cache that holds every record (one per distinct ASN + org pair, as the writer
  // stores them): what a user who sizes the cache to the data gets.
  const records = ours.pairCount(table);
  const mmFull = await maxmind.open<AsnRecord>(mmdb.path, { cache: { max: records } });
  console.log(`ours: ${ours.describe(table)}`);
  console.log(
    `maxmind: ${int(mm.metadata.nodeCount)} nodes, ${mm.metadata.recordSize}-bit records, ${bytes(mmdbBuffer.length)}; ` +
      `read twice: default cache (10,000 records) and cache: { max: ${int(records)} } (every record)`,
  );

  // --- 1. Lookups ----------------------------------------------------------------------------
  section('1. Lookups, same addresses, string input (CPU time per lookup; lower is better)');
  const v4 = sampleV4(csv.v4, V4_SAMPLE, SEED);
  const v6 = sampleV6(csv.v6, V6_SAMPLE, SEED + 1);
  const anywhere = sampleV4Anywhere(csv.v4, AGREEMENT_ANYWHERE, SEED + 2);
  console.log(
    `  samples: v4 ${int(V4_SAMPLE)} (half uniform over covered space, half row-uniform), v6 ${int(V6_SAMPLE)} row-uniform`,
  );

  const rows: string[][] = [];
  const breakdown: string[][] = [];
  const flatness: string[] = [];
  for (const [label, sample] of [
    ['IPv4', v4],
    ['IPv6', v6],
  ] as const) {
    // Every reader gets the same flat copies (see flatTexts); the check needs natives syntax.
    const texts = flatTexts(sample.text);
    const flat = countFlat(texts);
    flatness.push(
      flat === undefined
        ? `${label}: not checked (run with node --allow-natives-syntax)`
        : `${label}: ${int(flat)} of ${int(texts.length)} flat`,
    );
    const addresses = ours.parseAll(texts);
    const t = timeInterleaved(texts.length, passes, {
      ours: (f, e) => passOurs(table, texts, f, e),
      maxmind: (f, e) => passMaxmind(mm, texts, f, e),
      maxmindFull: (f, e) => passMaxmindFull(mmFull, texts, f, e),
      geoip: (f, e) => passGeoip(texts, f, e),
      parse: (f, e) => passParse(texts, f, e),
      numeric: (f, e) => passOursNumeric(table, addresses, f, e),
      asnOnly: (f, e) => passOursAsnOnly(table, texts, f, e),
    });
    const ns = (x: Timing): string => `${int(x.cpuNs)} ns`;
    const wallRatio = (peer: Timing): string => ratio(peer.wallNs / t.ours.wallNs);
    breakdown.push([
      label,
      ns(t.ours),
      `${ns(t.asnOnly)} (${ratio(t.maxmind.cpuNs / t.asnOnly.cpuNs)} maxmind)`,
      ns(t.parse),
      ns(t.numeric),
    ]);
    rows.push([
      label,
      `${ns(t.ours)} (${perSecond(1e9 / t.ours.cpuNs)})`,
      ns(t.maxmind),
      ns(t.maxmindFull),
      ns(t.geoip),
      `${ratio(t.maxmind.cpuNs / t.ours.cpuNs)} [wall ${wallRatio(t.maxmind)}]`,
      `${ratio(t.maxmindFull.cpuNs / t.ours.cpuNs)} [wall ${wallRatio(t.maxmindFull)}]`,
      ratio(t.geoip.cpuNs / t.ours.cpuNs),
    ]);
    for (const [peerName, peer, goal] of [
      ['maxmind, default cache', t.maxmind, 10],
      ['maxmind, cache holding every record', t.maxmindFull, 7],
    ] as const) {
      const r = peer.cpuNs / t.ours.cpuNs;
      figure(
        {
          name: `${label} lookup, string in, ASN + org out: ours vs ${peerName} (CPU ns per lookup)`,
          unit: 'ns',
          ours: t.ours.cpuNs,
          peer: peer.cpuNs,
          ratio: r,
          target: `ratio ≥ ${goal}×`,
          pass: r >= goal,
        },
        `${ratio(r)} (${int(t.ours.cpuNs)} vs ${int(peer.cpuNs)} ns)`,
      );
    }
    record({
      name: `${label} lookup: ours vs geoip-lite (country) (CPU ns per lookup)`,
      unit: 'ns',
      ours: t.ours.cpuNs,
      peer: t.geoip.cpuNs,
      ratio: t.geoip.cpuNs / t.ours.cpuNs,
      target: null,
      pass: null,
    });
    for (const [what, x] of [
      ['ASN only', t.asnOnly],
      ['parse only (the parser lookup runs)', t.parse],
      ['lookupAddress on parsed addresses', t.numeric],
    ] as const) {
      record({
        name: `${label} ours, ${what} (CPU ns per address)`,
        unit: 'ns',
        ours: x.cpuNs,
        peer: null,
        ratio: null,
        target: null,
        pass: null,
      });
    }
  }
  printTable(
    [
      'sample',
      'ours',
      'maxmind 5.0.7 default',
      'maxmind full cache',
      'geoip-lite (country)',
      'ours vs maxmind',
      'ours vs maxmind full',
      'ours vs geoip',
    ],
    rows,
  );
  console.log(
    `  CPU ns = median over ${passes} passes of ~${int(CHUNK)}-address chunks of process CPU time (user + system, every thread) ÷ lookups; ratios are\n` +
      `  CPU-time ratios, [wall …] the ratio of median per-chunk wall times. Sample strings are flat copies (${flatness.join(', ')}; %HaveSameMap against a sequential one-byte string).`,
  );

  console.log(
    '\n  Where our time goes (CPU ns per address; the comparison above reads ASN and org, as maxmind decodes both):',
  );
  printTable(
    [
      'sample',
      'lookup(text): ASN + org',
      'lookup(text): ASN only',
      'parse only (fast v4, parseIpInto)',
      'lookupAddress(parsed)',
    ],
    breakdown,
  );

  const agree = [
    ['IPv4 sample (first 100k)', agreement(table, mm, v4, AGREEMENT_V4)],
    ['IPv6 sample', agreement(table, mm, v6, V6_SAMPLE)],
    ['IPv4 uniform, gaps included', agreement(table, mm, anywhere, AGREEMENT_ANYWHERE)],
  ] as const;
  console.log('\n  Cross-check (ASN per address; 0 = not routed):');
  printTable(
    [
      'addresses',
      'n',
      'ASN ours = maxmind',
      'org ours = maxmind',
      'ASN ours = CSV',
      'ASN maxmind = CSV',
    ],
    agree.map(([label, a]) => [
      label,
      int(a.n),
      int(a.oursVsMaxmind),
      int(a.orgEqual),
      int(a.oursVsCsv),
      int(a.maxmindVsCsv),
    ]),
  );
  for (const [label, a] of agree) {
    if (a.firstMismatch) console.log(`  first mismatch in ${label}: ${a.firstMismatch}`);
  }
  const total = (pick: (a: (typeof agree)[number][1]) => number): number =>
    agree.reduce((sum, [, a]) => sum + pick(a), 0);
  const agreeN = total((a) => a.n);
  const agreeAsn = total((a) => a.oursVsMaxmind);
  const agreeOrg = total((a) => a.orgEqual);
  figure(
    {
      name: 'maxmind agrees with ours (ASN and org) on every checked address',
      unit: 'addresses',
      ours: Math.min(agreeAsn, agreeOrg),
      peer: agreeN,
      ratio: null,
      target: 'ours = peer (all checked)',
      pass: agreeAsn === agreeN && agreeOrg === agreeN,
    },
    `ASN ${int(agreeAsn)}, org ${int(agreeOrg)} of ${int(agreeN)}`,
  );

  if (lookupsOnly) {
    finish(started, load);
    return;
  }

  // --- 2. Sizes ------------------------------------------------------------------------------
  section('2. Sizes (lower is better)');
  const textCsv = CSV_FILES.text.map((f) => readFileSync(join(CSV_DIR, f)));
  const gz = (b: Uint8Array): number => gzipSync(b, { level: 9 }).length;
  const csvRaw = textCsv[0]!.length + textCsv[1]!.length;
  const csvGz = gz(textCsv[0]!) + gz(textCsv[1]!);
  const mmdbGz = gz(mmdbBuffer);
  const csvEach = textCsv.map((b, i) => [`CSV: ${CSV_FILES.text[i]}`, b.length, gz(b)] as const);
  printTable(
    ['item', 'raw', 'gzip -9 (node zlib)', "gzip'd ÷ ours", 'raw ÷ ours'],
    [
      ['ours: public/prefix-table.bin (deflate inside)', bytes(tableBytes.length), '—', '1×', '1×'],
      ...[
        ...csvEach,
        [`CSVs: both`, csvRaw, csvGz] as const,
        [
          `maxmind: own ASN .mmdb (${mm.metadata.recordSize}-bit records)`,
          mmdbBuffer.length,
          mmdbGz,
        ] as const,
      ].map(([label, raw, zipped]) => [
        label,
        bytes(raw),
        bytes(zipped),
        ratio(zipped / tableBytes.length),
        ratio(raw / tableBytes.length),
      ]),
    ],
  );
  figure(
    {
      name: 'table size: all v4 + v6 ranges and org names (public/prefix-table.bin) vs own ASN MMDB',
      unit: 'B',
      ours: tableBytes.length,
      peer: mmdbBuffer.length,
      ratio: mmdbBuffer.length / tableBytes.length,
      target: `ours ≤ ${int(TABLE_SIZE_TARGET)} B`,
      pass: tableBytes.length <= TABLE_SIZE_TARGET,
    },
    bytes(tableBytes.length),
  );

  // --- 3. Decode -----------------------------------------------------------------------------
  section('3. Time to a queryable table, from bytes already read (lower is better)');
  // Children need the serialized columns (what IndexedDB would hand back) for the columns mode.
  writeFileSync(COLUMNS_PATH, serialize(ours.toColumns(table)));
  const columns = ours.toColumns(table);
  const warm = {
    node: await warmRuns(() => ours.decodeNode(tableBytes)),
    web: await warmRuns(() => ours.decodeWeb(tableBytes)),
    columns: await warmRuns(() => ours.fromColumns(columns)),
    csv: await warmRuns(() => parseCsvBaseline(csvBytes[0]!, csvBytes[1]!)),
    mmdb: await warmRuns(() => new Reader<AsnRecord>(mmdbBuffer)),
  };
  const cold = {
    node: coldRuns('cold-node'),
    web: coldRuns('cold-web'),
    columns: coldRuns('cold-columns'),
    csv: coldRuns('cold-csv'),
    mmdb: coldRuns('cold-mmdb'),
  };
  const both = (t: Timed): string => `${ms(t.cpu)} / ${ms(t.wall)}`;
  const coldText = (c: Timed | string): string => (typeof c === 'string' ? `error: ${c}` : both(c));
  const coldCpu = (c: Timed | string): number => (typeof c === 'string' ? NaN : c.cpu);
  printTable(
    [
      'step',
      `warm: CPU / wall (median of ${WARM_RUNS})`,
      `cold: CPU / wall (median of ${COLD_RUNS} processes)`,
      'CSV parse ÷ this (cold CPU)',
    ],
    [
      [
        'ours: decodeTable, Node codec (zlib)',
        both(warm.node),
        coldText(cold.node),
        ratio(coldCpu(cold.csv) / coldCpu(cold.node)),
      ],
      [
        'ours: decodeTable, web codec (DecompressionStream in Node)',
        both(warm.web),
        coldText(cold.web),
        ratio(coldCpu(cold.csv) / coldCpu(cold.web)),
      ],
      [
        'ours: tableFromColumns, validated (structured clone already done)',
        both(warm.columns),
        coldText(cold.columns),
        ratio(coldCpu(cold.csv) / coldCpu(cold.columns)),
      ],
      ['baseline: parse the numeric CSVs into arrays', both(warm.csv), coldText(cold.csv), '1×'],
      [
        'maxmind: new Reader(mmdb buffer) (lazy: no decode)',
        both(warm.mmdb),
        coldText(cold.mmdb),
        '—',
      ],
    ],
  );
  console.log(
    '  CPU = process CPU time (every thread); wall is mostly waiting for a core on a loaded machine. Decode in Chromium: section 3b.',
  );
  for (const [what, w, c] of [
    ['decodeTable, Node codec (zlib)', warm.node, cold.node],
    ['decodeTable, web codec in Node (DecompressionStream)', warm.web, cold.web],
    ['tableFromColumns, validated', warm.columns, cold.columns],
  ] as const) {
    for (const [temperature, value] of [
      ['warm', w.cpu],
      ['cold', coldCpu(c)],
    ] as const) {
      record({
        name: `Node: ${what}, ${temperature} (process CPU ms; the Chromium figures carry the targets)`,
        unit: 'ms',
        ours: value,
        peer: null,
        ratio: null,
        target: null,
        pass: null,
      });
    }
  }

  // --- 4. Memory -----------------------------------------------------------------------------
  section(
    '4. Memory after load (fresh process per mode, --expose-gc, gc before and after; lower is better)',
  );
  const memModes = [
    ['ours: decodeTable, Node codec', 'mem-ours'],
    ['ours: tableFromColumns', 'mem-columns'],
    ['maxmind: open(own ASN mmdb)', 'mem-maxmind'],
    ['geoip-lite 2.0.3 (country+city data)', 'mem-geoip'],
  ] as const;
  const mem = memModes.map(([label, mode]) => [label, memoryRuns(mode)] as const);
  const oursRss = mem[0]![1].rss;
  const theirsRss = mem[2]![1].rss;
  figure(
    {
      name: `Node RSS Δ of the loaded table: ours (decodeTable, Node codec) vs maxmind open() (median of ${MEMORY_RUNS} processes)`,
      unit: 'B',
      ours: oursRss ?? NaN,
      peer: theirsRss ?? NaN,
      ratio: oursRss && theirsRss ? theirsRss / oursRss : null,
      target: 'ours ≤ peer',
      pass: oursRss !== undefined && theirsRss !== undefined && oursRss <= theirsRss,
    },
    oursRss !== undefined && theirsRss !== undefined
      ? `${mib(oursRss)} vs ${mib(theirsRss)}`
      : 'error',
  );
  const columnsRss = mem[1]![1].rss;
  record({
    name: 'Node RSS Δ: ours from columns (the IndexedDB path) vs maxmind open()',
    unit: 'B',
    ours: columnsRss ?? NaN,
    peer: theirsRss ?? NaN,
    ratio: columnsRss && theirsRss ? theirsRss / columnsRss : null,
    target: null,
    pass: null,
  });
  printTable(
    ['mode', 'RSS Δ', 'heapUsed Δ', 'arrayBuffers Δ', 'RSS Δ ÷ ours'],
    mem.map(([label, r]) =>
      r.error !== undefined
        ? [label, `error: ${r.error}`, '', '', '']
        : [
            label,
            mib(r.rss!),
            mib(r.heapUsed!),
            mib(r.arrayBuffers!),
            oursRss ? ratio(r.rss! / oursRss) : '—',
          ],
    ),
  );

  finish(started, load);
}

/** The closing Targets table, the part file of figures and the run's duration. */
function finish(started: number, load: () => string): void {
  section('Targets');
  printTable(
    ['target', 'measured', 'result'],
    targets.map((t) => [t.name, t.value, t.pass ? 'PASS' : 'MISS']),
  );
  console.log(`  load average at the end: ${load()}`);
  console.log(
    `  figures also in ${writeRows('engine')} (merged into .cache/bench.json by npm run bench)`,
  );
  console.log(`\nbench finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
