import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeSourceBytes,
  formatProblem,
  normalizeRanges,
  readSource,
  type SourceKind,
  type SourceReadResult,
} from '../../../lib/sources';

const DIR = 'tests/fixtures/sources';

function read(kind: SourceKind, name: string, names?: Map<number, string>): SourceReadResult {
  const file = `${DIR}/${name}`;
  const decoded = decodeSourceBytes(new Uint8Array(readFileSync(file)), (b) => gunzipSync(b));
  if (!decoded.ok) throw new Error(decoded.reason);
  return readSource(kind, decoded.text, { file, ...(names ? { names } : {}) });
}

function problems(r: { problems: readonly Parameters<typeof formatProblem>[0][] }): string[] {
  return r.problems.map(formatProblem);
}

describe('ip-location-db CSV', () => {
  it('reads numeric IPv4 rows with RFC 4180 quoting', () => {
    const r = read('ip-location-db', 'asn-ipv4-num.csv');
    expect(r.skipped).toBe(0);
    expect(r.rows.map((x) => x.org)).toEqual([
      'Cloudflare, Inc.',
      'Gtelecom Pty Ltd',
      'LLC "SPUTNIK"',
      'Chinanet',
      'United States Department of Defense (DoD)',
      'DoD Network Information Center',
    ]);
    expect(r.rows[0]).toMatchObject({
      family: 4,
      start: 16777216n,
      end: 16777471n,
      asn: 13335,
      line: 1,
    });
  });

  it('reads numeric IPv6 rows (128-bit decimals, CRLF) and takes the family from the file name', () => {
    const r = read('ip-location-db', 'asn-ipv6-num.csv');
    expect(r.problems).toEqual([]);
    expect(r.rows[1]).toMatchObject({
      family: 6,
      asn: 24047,
      org: 'Internet Systems Consortium, Inc.',
    });
    expect(r.rows[0]!.start).toBe(0x20010000n << 96n); // 2001::
  });

  it('reads the textual variant with both families', () => {
    const r = read('ip-location-db', 'asn-mixed-text.csv');
    expect(r.rows.map((x) => x.family)).toEqual([4, 6]);
    expect(r.rows[1]!.end).toBe((0x20010200n << 96n) + (1n << 96n) - 1n);
  });

  it('reports every malformed row with file:line and keeps the good ones', () => {
    const r = read('ip-location-db', 'bad-ipv4-num.csv');
    expect(r.rows.map((x) => x.line)).toEqual([1, 10]);
    expect(r.skipped).toBe(9);
    const p = problems(r).join('\n');
    for (const [line, text] of [
      [2, 'expected 4 fields'],
      [3, 'start is after its end'],
      [4, 'AS number 0 is not in 1..4294967295'],
      [5, "AS number '12x'"],
      [6, "AS number '4294967296'"],
      [7, 'quote inside an unquoted field'],
      [8, 'text after a closing quote'],
      [9, 'outside the IPv4 space'],
      [11, 'unterminated quoted field'],
    ] as const) {
      expect(p).toContain(`${DIR}/bad-ipv4-num.csv:${line}: error: `);
      expect(r.problems.find((x) => x.line === line)?.message).toContain(text);
    }
  });

  it('refuses numeric rows when the family cannot be told', () => {
    const r = readSource('ip-location-db', '1,2,3,x\n', { file: 'data.csv' });
    expect(r.rows).toEqual([]);
    expect(r.problems[0]?.message).toContain('does not say ipv4 or ipv6');
    const ok = readSource('ip-location-db', '1,2,3,x\n', { file: 'data.csv', family: 6 });
    expect(ok.rows[0]?.family).toBe(6);
  });
});

describe('normalizeRanges', () => {
  it('clips the real-data overlap by the later-starting rule and reports both lines', () => {
    const r = read('ip-location-db', 'asn-ipv4-num.csv');
    const n = normalizeRanges(r.rows, { reportOverlaps: true });
    expect(problems(n)).toEqual([
      expect.stringMatching(
        /asn-ipv4-num\.csv:6: warning: range 215\.0\.0\.0-215\.1\.3\.255 AS721 overlaps .* AS749 from .*asn-ipv4-num\.csv:5/,
      ),
    ]);
    const dod = n.ranges.filter((x) => x.asn === 749 || x.asn === 721);
    expect(dod.map((x) => [x.asn, x.start, x.end])).toEqual([
      [749, 3596550144n, 3607101439n],
      [721, 3607101440n, 3607167999n],
    ]);
  });

  it('splits a containing range around a nested one and merges equal neighbours', () => {
    const row = (start: number, end: number, asn: number, line: number) => ({
      family: 4 as const,
      start: BigInt(start),
      end: BigInt(end),
      asn,
      org: `AS${asn}`,
      file: 'f',
      line,
    });
    const n = normalizeRanges(
      [
        row(0, 99, 1, 1),
        row(10, 19, 2, 2),
        row(10, 12, 3, 3),
        row(100, 120, 1, 4),
        row(50, 60, 1, 5),
      ],
      { reportOverlaps: false },
    );
    expect(n.ranges.map((x) => [x.start, x.end, x.asn])).toEqual([
      [0n, 9n, 1],
      [10n, 12n, 3],
      [13n, 19n, 2],
      [20n, 120n, 1],
    ]);
    expect(n.problems).toEqual([]);
    const dup = normalizeRanges([row(0, 9, 1, 1), row(0, 9, 2, 2)], { reportOverlaps: false });
    expect(dup.ranges.map((x) => x.asn)).toEqual([2]);
    expect(problems(dup)[0]).toMatch(/^f:2: warning: duplicate range/);
  });

  it('reports unsorted input and still sorts it', () => {
    const r = readSource('ip-location-db', '20,29,2,b\n0,9,1,a\n', { file: 'x-ipv4.csv' });
    expect(problems(r)).toEqual([
      expect.stringMatching(/^x-ipv4\.csv:2: warning: rows are not sorted/),
    ]);
    expect(normalizeRanges(r.rows, { reportOverlaps: true }).ranges.map((x) => x.asn)).toEqual([
      1, 2,
    ]);
  });
});

describe('iptoasn TSV', () => {
  it('reads textual ranges, drops "Not routed" rows, and reads .gz the same', () => {
    const plain = read('iptoasn', 'ip2asn-combined.tsv');
    const gz = read('iptoasn', 'ip2asn-combined.tsv.gz');
    expect(plain.notRouted).toBe(3);
    expect(plain.rows.map((x) => x.asn)).toEqual([13335, 4134, 4134, 2500, 56048]);
    expect(plain.rows[1]!.org).toBe('CHINANET-BACKBONE No.31,Jin-rong Street');
    expect(gz.rows.map(({ file: _f, ...x }) => x)).toEqual(
      plain.rows.map(({ file: _f, ...x }) => x),
    );
    expect(plain.problems).toEqual([]);
  });

  it('reports bad rows', () => {
    const r = read('iptoasn', 'ip2asn-bad.tsv');
    expect(r.rows).toEqual([]);
    expect(problems(r)).toEqual([
      expect.stringMatching(/ip2asn-bad\.tsv:1: error: expected 5 tab-separated fields, found 4/),
      expect.stringMatching(/ip2asn-bad\.tsv:2: error: bad address: unexpected character 'x'/),
      expect.stringMatching(/ip2asn-bad\.tsv:3: error: start and end are of different families/),
    ]);
  });

  it('says when gzip data arrives without a decompressor', () => {
    const bytes = new Uint8Array(readFileSync(`${DIR}/ip2asn-combined.tsv.gz`));
    expect(decodeSourceBytes(bytes)).toEqual({
      ok: false,
      reason: 'gzip input, but no gunzip was given',
    });
    expect(decodeSourceBytes(new Uint8Array([0xff, 0xfe, 0x00]))).toMatchObject({ ok: false });
  });
});

describe('CAIDA pfx2as', () => {
  it('reads prefixes, takes the first AS of multi-origin and AS-set rows, and reports them', () => {
    const r = read(
      'pfx2as',
      'routeviews-rv2-20260101-1200.pfx2as',
      new Map([[13335, 'Cloudflare']]),
    );
    const p = problems(r);
    expect(p).toContainEqual(
      expect.stringMatching(
        /:4: warning: multi-origin prefix '38803_56203': attributed to its first AS, AS38803/,
      ),
    );
    expect(p).toContainEqual(
      expect.stringMatching(
        /:6: warning: AS set '23969,38040': attributed to its first AS, AS23969/,
      ),
    );
    expect(p).toContainEqual(
      expect.stringMatching(/:11: error: origin 'AS13335' is not an AS number/),
    );
    expect(p).toContainEqual(
      expect.stringMatching(/:12: error: bad prefix: host bits set: did you mean 1\.2\.4\.0\/24\?/),
    );
    expect(p).toContainEqual(
      expect.stringMatching(/:13: error: bad prefix: IPv4 prefix length 33/),
    );
    expect(r.rows[0]).toMatchObject({ asn: 13335, org: 'Cloudflare' });
    expect(r.rows[1]).toMatchObject({ asn: 38803, org: 'AS38803' });
  });

  it('flattens nested prefixes most-specific-wins without reporting them', () => {
    const r = read('pfx2as', 'routeviews-rv2-20260101-1200.pfx2as');
    const n = normalizeRanges(r.rows, { reportOverlaps: false });
    expect(n.problems).toEqual([]);
    const v4 = n.ranges
      .filter((x) => x.family === 4)
      .map((x) => [Number(x.start), Number(x.end), x.asn]);
    const ip = (a: number, b: number, c: number, d: number) => ((a * 256 + b) * 256 + c) * 256 + d;
    expect(v4).toEqual([
      [ip(1, 0, 0, 0), ip(1, 0, 0, 255), 13335],
      [ip(1, 0, 4, 0), ip(1, 0, 4, 255), 38803],
      [ip(1, 0, 5, 0), ip(1, 0, 5, 255), 56203],
      [ip(1, 0, 6, 0), ip(1, 0, 7, 255), 38803],
      [ip(1, 0, 64, 0), ip(1, 0, 127, 255), 18144],
      [ip(1, 0, 128, 0), ip(1, 0, 128, 255), 9737],
      [ip(1, 0, 129, 0), ip(1, 0, 255, 255), 23969],
    ]);
    const v6 = n.ranges.filter((x) => x.family === 6).map((x) => x.asn);
    expect(v6).toEqual([2500, 7660, 2500]);
  });
});

describe('GeoLite2-ASN CSV', () => {
  it('reads CIDR rows after the header, with quoting', () => {
    const r = read('geolite2-asn', 'GeoLite2-ASN-Blocks-IPv4.csv');
    expect(r.rows.map((x) => x.org)).toEqual([
      'CLOUDFLARENET',
      'Gtelecom, Pty Ltd',
      'ARTERIA "Networks" Corporation',
      'Chinanet',
    ]);
    expect(r.rows[3]).toMatchObject({ start: 16785408n, end: 16785408n + 8191n });
    expect(problems(r)).toEqual([
      expect.stringMatching(
        /GeoLite2-ASN-Blocks-IPv4\.csv:6: error: bad network: host bits set: did you mean 1\.0\.64\.0\/18\?/,
      ),
      expect.stringMatching(/GeoLite2-ASN-Blocks-IPv4\.csv:7: error: AS number 'abc'/),
    ]);
    const v6 = read('geolite2-asn', 'GeoLite2-ASN-Blocks-IPv6.csv');
    expect(v6.rows.map((x) => [x.family, x.asn])).toEqual([
      [6, 2500],
      [6, 9808],
    ]);
  });

  it('insists on the header', () => {
    const r = readSource('geolite2-asn', '1.0.0.0/24,13335,X\n', { file: 'g.csv' });
    expect(problems(r)[0]).toMatch(/^g\.csv:1: error: expected the header/);
  });
});
