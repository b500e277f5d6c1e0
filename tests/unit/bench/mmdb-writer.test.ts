import { Reader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import {
  MmdbWriteError,
  rangeToCidrs,
  writeAsnMmdb,
  type MmdbAsnRange,
} from '../../../bench/mmdb-writer';

interface AsnRecord {
  autonomous_system_number: number;
  autonomous_system_organization: string;
}

const v4 = (text: string): bigint =>
  text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);

/** Expands '2001:db8::1' style text (one '::' at most) into a 128-bit integer. */
const v6 = (text: string): bigint => {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
};

const RANGES: MmdbAsnRange[] = [
  // Unaligned start and end: several CIDR blocks.
  { family: 4, first: v4('1.0.0.3'), last: v4('1.0.1.17'), asn: 13335, org: 'Cloudflare, Inc.' },
  {
    family: 4,
    first: v4('36.128.0.0'),
    last: v4('36.255.255.255'),
    asn: 9808,
    org: 'China Mobile',
  },
  {
    family: 4,
    first: v4('255.255.255.0'),
    last: v4('255.255.255.255'),
    asn: 4294967294,
    org: 'Top',
  },
  { family: 4, first: v4('8.8.8.8'), last: v4('8.8.8.8'), asn: 15169, org: 'Google LLC' },
  {
    family: 6,
    first: v6('2001:500:30ff::30'),
    last: v6('2001:500:30ff::3f'),
    asn: 36622,
    org: 'Ünïcødé Org – long name '.repeat(20),
  },
  {
    family: 6,
    first: v6('2409:8000::'),
    last: v6('2409:8fff:ffff:ffff:ffff:ffff:ffff:ffff'),
    asn: 9808,
    org: 'China Mobile',
  },
  {
    family: 6,
    first: v6('ffff::'),
    last: v6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'),
    asn: 7,
    org: 'End',
  },
];

function open(bytes: Uint8Array): Reader<AsnRecord> {
  return new Reader<AsnRecord>(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

describe('writeAsnMmdb read back by maxmind', () => {
  for (const recordSize of [24, 28, 32] as const) {
    it(`finds every range edge and no neighbour (${recordSize}-bit records)`, () => {
      const reader = open(writeAsnMmdb(RANGES, { recordSize }));
      expect(reader.metadata.recordSize).toBe(recordSize);
      expect(reader.metadata.ipVersion).toBe(6);
      const cases: Array<[string, number | null, string?]> = [
        ['1.0.0.2', null],
        ['1.0.0.3', 13335, 'Cloudflare, Inc.'],
        ['1.0.0.200', 13335],
        ['1.0.1.17', 13335],
        ['1.0.1.18', null],
        ['36.127.255.255', null],
        ['36.128.0.0', 9808, 'China Mobile'],
        ['36.200.1.2', 9808],
        ['37.0.0.0', null],
        ['8.8.8.7', null],
        ['8.8.8.8', 15169],
        ['8.8.8.9', null],
        ['255.255.255.255', 4294967294, 'Top'],
        ['2001:500:30ff::2f', null],
        ['2001:500:30ff::30', 36622, RANGES[4]!.org],
        ['2001:500:30ff::3f', 36622],
        ['2001:500:30ff::40', null],
        ['2409:8000::', 9808, 'China Mobile'],
        ['2409:8abc:1::5', 9808],
        ['2409:9000::', null],
        ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 7, 'End'],
        ['::1', null],
      ];
      for (const [ip, asn, org] of cases) {
        const got = reader.get(ip);
        expect(got?.autonomous_system_number ?? null, ip).toBe(asn);
        if (org !== undefined) expect(got?.autonomous_system_organization, ip).toBe(org);
      }
    });
  }

  it('writes each distinct record once and picks the smallest record size', () => {
    const bytes = writeAsnMmdb(RANGES);
    const reader = open(bytes);
    expect(reader.metadata.recordSize).toBe(24);
    // The long org name appears once although its range spans several CIDR blocks.
    const text = Buffer.from(bytes).toString('utf8');
    expect(text.split('Top').length - 1).toBe(1);
    expect(text.split('China Mobile').length - 1).toBe(1);
  });

  it('addresses data beyond 2^24 with 28- and 32-bit records (top nibbles in use)', () => {
    // A 16.8 MB org name first pushes every later record's offset past 24 bits.
    const huge = 'x'.repeat(16_800_000);
    const ranges: MmdbAsnRange[] = [
      { family: 4, first: v4('9.0.0.0'), last: v4('9.0.0.255'), asn: 1, org: huge },
      ...RANGES,
    ];
    expect(() => writeAsnMmdb(ranges, { recordSize: 24 })).toThrow(MmdbWriteError);
    for (const recordSize of [28, 32] as const) {
      const reader = open(writeAsnMmdb(ranges, { recordSize }));
      expect(reader.get('9.0.0.7')?.autonomous_system_organization.length).toBe(huge.length);
      expect(reader.get('36.130.0.1')?.autonomous_system_number).toBe(9808);
      expect(reader.get('2409:8abc:1::5')?.autonomous_system_organization).toBe('China Mobile');
      expect(reader.get('8.8.8.8')?.autonomous_system_number).toBe(15169);
      expect(reader.get('8.8.8.9')).toBeNull();
    }
    expect(open(writeAsnMmdb(ranges)).metadata.recordSize).toBe(28);
  });

  it('keeps every range when the trie outgrows its first allocation', () => {
    // 4,000 scattered /32s need far more than the 65,536 nodes allocated up front.
    const addresses = Array.from({ length: 4000 }, (_, i) =>
      Number((BigInt(i + 1) * 2654435761n) % (1n << 32n)),
    );
    addresses.sort((a, b) => a - b);
    const ranges: MmdbAsnRange[] = addresses.map((a, i) => ({
      family: 4,
      first: BigInt(a),
      last: BigInt(a),
      asn: i + 1,
      org: `org ${i + 1}`,
    }));
    const reader = open(writeAsnMmdb(ranges));
    expect(reader.metadata.nodeCount).toBeGreaterThan(65_536);
    addresses.forEach((a, i) => {
      const text = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
      expect(reader.get(text)?.autonomous_system_number, text).toBe(i + 1);
    });
  });

  it('is deterministic', () => {
    expect(Buffer.from(writeAsnMmdb(RANGES)).equals(Buffer.from(writeAsnMmdb(RANGES)))).toBe(true);
  });

  it('rejects overlapping, inverted and out-of-range input with MmdbWriteError', () => {
    const overlap: MmdbAsnRange[] = [
      { family: 4, first: v4('10.0.0.0'), last: v4('10.0.0.255'), asn: 1, org: 'a' },
      { family: 4, first: v4('10.0.0.128'), last: v4('10.0.1.0'), asn: 2, org: 'b' },
    ];
    expect(() => writeAsnMmdb(overlap)).toThrow(MmdbWriteError);
    const contained: MmdbAsnRange[] = [
      { family: 4, first: v4('10.0.0.0'), last: v4('10.0.0.255'), asn: 1, org: 'a' },
      { family: 4, first: v4('10.0.0.0'), last: v4('10.255.255.255'), asn: 2, org: 'b' },
    ];
    expect(() => writeAsnMmdb(contained)).toThrow(MmdbWriteError);
    const bad: MmdbAsnRange[] = [
      { family: 4, first: 5n, last: 4n, asn: 1, org: 'a' },
      { family: 4, first: 0n, last: 1n << 32n, asn: 1, org: 'a' },
      { family: 6, first: 0n, last: 1n << 128n, asn: 1, org: 'a' },
      { family: 4, first: 0n, last: 0n, asn: 2 ** 32, org: 'a' },
      { family: 6, first: 0n, last: (1n << 128n) - 1n, asn: 1, org: 'a' },
    ];
    for (const r of bad) expect(() => writeAsnMmdb([r])).toThrow(MmdbWriteError);
    // A v6 range over ::/96 would collide with the IPv4 subtree.
    const clash: MmdbAsnRange[] = [
      { family: 4, first: 0n, last: 255n, asn: 1, org: 'a' },
      { family: 6, first: 0n, last: (1n << 40n) - 1n, asn: 2, org: 'b' },
    ];
    expect(() => writeAsnMmdb(clash)).toThrow(MmdbWriteError);
  });
});

describe('rangeToCidrs', () => {
  it('covers the range exactly with aligned blocks', () => {
    const first = v4('1.0.0.3');
    const last = v4('1.0.1.17');
    const blocks = rangeToCidrs(first, last, 32);
    let next = first;
    for (const [base, len] of blocks) {
      expect(base).toBe(next);
      const size = 1n << BigInt(32 - len);
      expect(base % size).toBe(0n);
      next = base + size;
    }
    expect(next).toBe(last + 1n);
    expect(rangeToCidrs(0n, (1n << 32n) - 1n, 32)).toEqual([[0n, 0]]);
  });
});
