// `npm run data`: routing data → validated ranges → public/prefix-table.bin (format: lib/prefix-table/format.md).
//
//   node scripts/run-ts.mjs scripts/build-table.ts [--source KIND FILE...] [--lenient] [--out FILE]
//        [--if-stale] [--source-name NAME] [--source-version V] [--names TSV] [--no-zopfli]
//
// KIND is ip-location-db | iptoasn | pfx2as | geolite2-asn. Without --source it reads the two
// numeric CSVs of @ip-location-db/asn from node_modules. A malformed row fails the build (file:line
// printed) unless --lenient, which skips and counts it. --if-stale skips the build when the inputs,
// the options and this script (with the encoder bundled into it) are unchanged since the last build.
// The payload's parts are compressed with zopfli (deflate-compatible, deterministic, ~3% smaller than
// zlib -9, about 10 s); --no-zopfli uses zlib level 9 (under 1 s).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { encodeTable, TABLE_FORMAT_VERSION } from '../lib/prefix-table';
import { nodeTableEncoderCodec } from '../lib/prefix-table/node-codec';
import {
  decodeSourceBytes,
  formatProblem,
  normalizeRanges,
  overlapsAreErrors,
  readSource,
  SOURCE_KINDS,
  type SourceKind,
  type SourceProblem,
  type SourceRow,
} from '../lib/sources';

const DEFAULT_DIR = 'node_modules/@ip-location-db/asn';
const DEFAULT_FILES = [`${DEFAULT_DIR}/asn-ipv4-num.csv`, `${DEFAULT_DIR}/asn-ipv6-num.csv`];
const STAMP = '.cache/prefix-table.stamp';
const MAX_PRINTED_PROBLEMS = 50;

interface Options {
  kind: SourceKind;
  files: string[];
  lenient: boolean;
  out: string;
  ifStale: boolean;
  sourceName?: string;
  sourceVersion?: string;
  names?: string;
  zopfli: boolean;
  stamp: string;
}

function usage(message: string): never {
  console.error(`build-table: ${message}`);
  console.error(
    'usage: build-table.ts [--source KIND FILE...] [--lenient] [--out FILE] [--if-stale]\n' +
      '                      [--source-name NAME] [--source-version V] [--names TSV] [--no-zopfli] [--stamp FILE]\n' +
      `KIND: ${SOURCE_KINDS.join(' | ')}`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    kind: 'ip-location-db',
    files: [],
    lenient: false,
    out: 'public/prefix-table.bin',
    ifStale: false,
    zopfli: true,
    stamp: STAMP,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--source') {
      const kind = value();
      if (!SOURCE_KINDS.includes(kind as SourceKind)) usage(`unknown source kind '${kind}'`);
      o.kind = kind as SourceKind;
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) o.files.push(argv[++i]!);
      if (o.files.length === 0) usage('--source needs at least one file');
    } else if (a === '--lenient') o.lenient = true;
    else if (a === '--if-stale') o.ifStale = true;
    else if (a === '--no-zopfli') o.zopfli = false;
    else if (a === '--out') o.out = value();
    else if (a === '--source-name') o.sourceName = value();
    else if (a === '--source-version') o.sourceVersion = value();
    else if (a === '--names') o.names = value();
    else if (a === '--stamp') o.stamp = value();
    else usage(`unknown argument '${a}'`);
  }
  if (o.files.length === 0) o.files = DEFAULT_FILES;
  return o;
}

/**
 * What the output depends on: the inputs' contents, the options, and this bundled script (the encoder
 * and readers are bundled into it, so an encoder change changes the stamp). File times are left out on
 * purpose: `npm ci` rewrites node_modules, and that alone must not force a 90 s rebuild.
 */
function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function computeStamp(o: Options): string {
  const h = createHash('sha256');
  h.update(`format ${TABLE_FORMAT_VERSION}\n`);
  h.update(JSON.stringify({ ...o, ifStale: false, stamp: '' }) + '\n');
  const sourcePackage = o.files === DEFAULT_FILES ? [`${DEFAULT_DIR}/package.json`] : [];
  for (const f of [...o.files, ...(o.names ? [o.names] : []), ...sourcePackage]) {
    h.update(`${f} ${sha256Hex(readFileSync(f))}\n`);
  }
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  return h.digest('hex');
}

function readNames(file: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) names.set(Number(line.slice(0, tab)), line.slice(tab + 1).trimEnd());
  }
  return names;
}

function defaultMeta(o: Options): { source: string; sourceVersion: string } {
  if (o.files === DEFAULT_FILES) {
    const pkg = JSON.parse(readFileSync(`${DEFAULT_DIR}/package.json`, 'utf8')) as {
      name: string;
      version: string;
    };
    return { source: o.sourceName ?? pkg.name, sourceVersion: o.sourceVersion ?? pkg.version };
  }
  return { source: o.sourceName ?? o.kind, sourceVersion: o.sourceVersion ?? 'unversioned' };
}

async function zopfliDeflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const zopfli = (await import('@gfx/zopfli')) as unknown as {
    deflate(
      data: Uint8Array,
      options: object,
      cb: (e: Error | null, out: Uint8Array) => void,
    ): void;
  };
  return new Promise((resolvePromise, reject) =>
    zopfli.deflate(bytes, { numiterations: 5 }, (e, out) => (e ? reject(e) : resolvePromise(out))),
  );
}

async function main(): Promise<number> {
  const started = performance.now();
  const o = parseArgs(process.argv.slice(2));
  for (const f of o.files) if (!existsSync(f)) usage(`input file not found: ${f}`);
  const stamp = computeStamp(o);
  if (o.ifStale && existsSync(o.out) && existsSync(o.stamp)) {
    const [previous, outputHash] = readFileSync(o.stamp, 'utf8').trim().split(' ');
    if (previous === stamp && outputHash === sha256Hex(readFileSync(o.out))) {
      console.log(`prefix table is up to date: ${o.out}`);
      return 0;
    }
  }
  const names = o.names ? readNames(o.names) : undefined;
  const rows: SourceRow[] = [];
  const problems: SourceProblem[] = [];
  let skipped = 0;
  let notRouted = 0;
  for (const file of o.files) {
    const decoded = decodeSourceBytes(new Uint8Array(readFileSync(file)), (b) => gunzipSync(b));
    if (!decoded.ok) {
      console.error(`${file}: ${decoded.reason}`);
      return 1;
    }
    const result = readSource(o.kind, decoded.text, { file, ...(names ? { names } : {}) });
    for (const r of result.rows) rows.push(r);
    for (const p of result.problems) problems.push(p);
    skipped += result.skipped;
    notRouted += result.notRouted;
    console.log(
      `${file}: ${result.rows.length} rows` +
        (result.skipped ? `, ${result.skipped} malformed` : '') +
        (result.notRouted ? `, ${result.notRouted} not routed` : ''),
    );
  }
  const normalized = normalizeRanges(rows, { reportOverlaps: overlapsAreErrors(o.kind) });
  for (const p of normalized.problems) problems.push(p);
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.length - errors.length;
  console.log(`problems: ${errors.length} errors, ${warnings} warnings`);
  problems.slice(0, MAX_PRINTED_PROBLEMS).forEach((p) => console.log(`  ${formatProblem(p)}`));
  if (problems.length > MAX_PRINTED_PROBLEMS) {
    console.log(`  ... and ${problems.length - MAX_PRINTED_PROBLEMS} more`);
  }
  if (errors.length > 0 && !o.lenient) {
    console.error(
      `build-table: ${errors.length} malformed rows; fix them or pass --lenient to skip them`,
    );
    return 1;
  }
  if (o.lenient && skipped > 0) console.log(`--lenient: skipped ${skipped} malformed rows`);

  const meta = { ...defaultMeta(o), builtFrom: o.files.map((f) => basename(f)).join(', ') };
  let deflateRaw = nodeTableEncoderCodec.deflateRaw;
  if (o.zopfli) {
    // zopfli is async; collect the parts the sync codec is handed, compress them, then encode
    // again with the results (the encoder is deterministic: the same parts, in the same order).
    const parts: Uint8Array[] = [];
    encodeTable(normalized.ranges, meta, {
      ...nodeTableEncoderCodec,
      deflateRaw: (b) => {
        parts.push(b);
        return b;
      },
    });
    const compressed = await Promise.all(parts.map((p) => zopfliDeflateRaw(p)));
    let next = 0;
    deflateRaw = (b) => {
      const part = parts[next];
      if (part === undefined || !Buffer.from(part).equals(Buffer.from(b))) {
        throw new Error('internal: the encoder produced different parts on its second run');
      }
      return compressed[next++]!;
    };
  }
  const file = encodeTable(normalized.ranges, meta, { ...nodeTableEncoderCodec, deflateRaw });
  mkdirSync(dirname(resolve(o.out)), { recursive: true });
  writeFileSync(o.out, file);
  mkdirSync(dirname(o.stamp), { recursive: true });
  writeFileSync(o.stamp, `${stamp} ${sha256Hex(file)}\n`);
  const v4 = normalized.ranges.filter((r) => r.family === 4).length;
  console.log(
    `wrote ${o.out}: ${file.length} bytes; ${v4} IPv4 and ${normalized.ranges.length - v4} IPv6 ranges` +
      (notRouted ? `; ${notRouted} not-routed rows ignored` : '') +
      `; ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}

process.exitCode = await main();
