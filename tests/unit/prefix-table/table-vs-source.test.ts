// The table must answer, for every range of the real upstream CSVs, exactly what the CSV says:
// at its first and last address, and just after it (the next range, a gap, or a local address).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyIp } from '../../../lib/ip/classify';
import { formatIp } from '../../../lib/ip/parse';
import { decodeTable, encodeTable, type PrefixTable } from '../../../lib/prefix-table';
import { nodeTableCodec, nodeTableEncoderCodec } from '../../../lib/prefix-table/node-codec';
import { bigIntToAddress, normalizeRanges, readSource, type SourceRow } from '../../../lib/sources';

const DIR = 'node_modules/@ip-location-db/asn';
const FILES = ['asn-ipv4-num.csv', 'asn-ipv6-num.csv'];

let rows: SourceRow[] = [];
let table: PrefixTable;

beforeAll(async () => {
  rows = [];
  for (const name of FILES) {
    const file = `${DIR}/${name}`;
    const result = readSource('ip-location-db', readFileSync(file, 'utf8'), { file });
    expect(result.skipped).toBe(0);
    for (const row of result.rows) rows.push(row);
  }
  const { ranges } = normalizeRanges(rows, { reportOverlaps: true });
  const bytes = encodeTable(
    ranges,
    { source: 'test', sourceVersion: 'test', builtFrom: FILES.join(', ') },
    nodeTableEncoderCodec,
  );
  table = await decodeTable(bytes, nodeTableCodec);
}, 120_000);

/** Independent oracle over the raw rows: the covering row that starts last wins (format.md). */
function makeOracle(familyRows: SourceRow[]) {
  const maxEnd: bigint[] = [];
  let m = -1n;
  for (const r of familyRows) {
    if (r.end > m) m = r.end;
    maxEnd.push(m);
  }
  return (x: bigint): SourceRow | undefined => {
    let lo = 0;
    let hi = familyRows.length - 1;
    if (hi < 0 || familyRows[0]!.start > x) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (familyRows[mid]!.start <= x) lo = mid;
      else hi = mid - 1;
    }
    for (let j = lo; j >= 0 && maxEnd[j]! >= x; j--) {
      if (familyRows[j]!.end >= x) return familyRows[j];
    }
    return undefined;
  };
}

describe('prefix table against the source CSVs', () => {
  it('answers the CSV ASN and org at the first, last and next address of every range', () => {
    let checked = 0;
    let clipped = 0;
    const failures: string[] = [];
    for (const family of [4, 6] as const) {
      const familyRows = rows.filter((r) => r.family === family);
      // The CSVs are sorted; the oracle relies on it.
      for (let i = 1; i < familyRows.length; i++) {
        expect(familyRows[i]!.start > familyRows[i - 1]!.start).toBe(true);
      }
      const oracle = makeOracle(familyRows);
      const max = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
      const check = (x: bigint, row: SourceRow, what: string): void => {
        const address = bigIntToAddress(family, x);
        const text = formatIp(address);
        const got = table.lookup(text);
        checked++;
        const scope = classifyIp(address);
        const expected = oracle(x);
        let ok: boolean;
        if (scope !== 'public') ok = got.kind === 'local' && got.scope === scope;
        else if (expected === undefined) ok = got.kind === 'unrouted';
        else ok = got.kind === 'routed' && got.asn === expected.asn && got.org === expected.org;
        if (!ok && failures.length < 20) {
          failures.push(`${row.file}:${row.line} ${what} ${text}: got ${JSON.stringify(got)}`);
        }
      };
      for (const row of familyRows) {
        check(row.start, row, 'first');
        check(row.end, row, 'last');
        if (row.end < max) check(row.end + 1n, row, 'last+1');
        // Where no other row overlaps, the reported range is exactly the CSV row.
        const first = formatIp(bigIntToAddress(family, row.start));
        const got = table.lookup(first);
        if (got.kind === 'routed' && oracle(row.end) === row) {
          const last = formatIp(bigIntToAddress(family, row.end));
          if (got.rangeStart !== first || got.rangeEnd !== last) {
            if (failures.length < 20)
              failures.push(`${row.file}:${row.line} range ${got.rangeStart}-${got.rangeEnd}`);
          }
        } else if (got.kind === 'routed') clipped++;
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(3 * 500_000);
    expect(clipped).toBe(1); // the AS749 row that AS721 overlaps
  }, 120_000);

  it('knows well-known addresses', () => {
    const chinanet = table.lookup('202.96.128.86');
    expect(chinanet).toMatchObject({ kind: 'routed', asn: 4134 });
    if (chinanet.kind === 'routed') expect(chinanet.org).toMatch(/chinanet/i);
    expect(table.lookup('1.1.1.1')).toMatchObject({ kind: 'routed', asn: 13335 });
    expect(table.lookup('2606:4700:4700::1111')).toMatchObject({ kind: 'routed', asn: 13335 });
    expect(table.lookup('::ffff:1.1.1.1')).toMatchObject({ kind: 'routed', asn: 13335 });
    expect(table.lookup('10.1.2.3')).toEqual({ kind: 'local', scope: 'private' });
    expect(table.lookup('fe80::1')).toEqual({ kind: 'local', scope: 'link-local' });
    expect(table.lookup('fe80::1%eth0')).toMatchObject({ kind: 'invalid' });
    expect(table.lookup('not an ip')).toMatchObject({ kind: 'invalid' });
  });

  it('reports the header counts of the data', () => {
    expect(table.meta.v4Ranges).toBe(rows.filter((r) => r.family === 4).length);
    expect(table.meta.v6Ranges).toBe(rows.filter((r) => r.family === 6).length);
    expect(table.meta.asnCount).toBe(new Set(rows.map((r) => r.asn)).size);
  });
});
