import { describe, expect, it } from 'vitest';
import {
  encodeTable,
  imageChecksum,
  tableFromImage,
  tableImage,
  TableFormatError,
} from '../../../lib/prefix-table';
import { decodeTable } from '../../../lib/prefix-table';
import { nodeTableCodec, nodeTableEncoderCodec } from '../../../lib/prefix-table/node-codec';
import type { RoutedRange } from '../../../lib/sources/types';
import { partsOf, valueHighBits } from '../../../lib/prefix-table/table';
import { imageVersionOf } from '../../../lib/prefix-table/table-image';
import { version2Image } from '../support/older-image';

const RANGES: RoutedRange[] = [
  { family: 4, start: 0x01010100n, end: 0x010101ffn, asn: 13335, org: 'Cloudflare' },
  { family: 4, start: 0xca608000n, end: 0xca60bfffn, asn: 4134, org: 'Chinanet' },
  { family: 4, start: 0xca60c000n, end: 0xca60c0ffn, asn: 4809, org: 'Chinanet' },
  {
    family: 6,
    start: 0x2001_0db8_0000_0000_0000_0000_0000_0030n,
    end: 0x2001_0db8_0000_0000_ffff_ffff_ffff_ffffn,
    asn: 6939,
    org: 'HE',
  },
  { family: 6, start: 0x2408n << 112n, end: (0x2409n << 112n) - 1n, asn: 4837, org: 'Unicom' },
];

async function table() {
  const file = encodeTable(
    RANGES,
    { source: 'test', sourceVersion: 'v1', builtFrom: 'fixture' },
    nodeTableEncoderCodec,
  );
  return decodeTable(file, nodeTableCodec);
}

const ADDRESSES = [
  '1.1.1.1',
  '1.1.2.1',
  '202.96.128.86',
  '202.96.192.1',
  '202.96.193.1',
  '2001:db8::2f',
  '2001:db8::30',
  '2001:db8::ffff:ffff:ffff:ffff',
  '2408:8000::1',
  '2409::1',
  '10.0.0.1',
];

describe('values beyond 16 bits', () => {
  it('keeps the fewest high bits that hold every pair id', () => {
    expect([65_535, 65_536, 131_071, 131_072, 262_143, 262_144].map(valueHighBits)).toEqual([
      1, 1, 1, 2, 2, 4,
    ]);
    expect(valueHighBits(0xffffff)).toBe(8);
    expect(() => valueHighBits(0x1000000)).toThrow(TableFormatError);
  });

  it('answers every range of a table of 140,000 pairs (two high bits per value), imaged too', async () => {
    const pairs = 140_000;
    const ranges: RoutedRange[] = [];
    for (let k = 0; k < pairs; k++) {
      // Each pair its own /24 from 1.0.0.0 up, and its own /48 under 2a00::/16.
      const v4 = BigInt(0x01000000 + k * 256);
      ranges.push({ family: 4, start: v4, end: v4 + 255n, asn: 100_000 + k, org: `Org ${k}` });
    }
    for (let k = 0; k < pairs; k += 7) {
      const v6 = (0x2a00n << 112n) + (BigInt(k) << 80n);
      const end = v6 + (1n << 80n) - 1n;
      ranges.push({ family: 6, start: v6, end, asn: 100_000 + k, org: `Org ${k}` });
    }
    const file = encodeTable(
      ranges,
      { source: 'test', sourceVersion: 'v1', builtFrom: 'fixture' },
      nodeTableEncoderCodec,
    );
    const decoded = await decodeTable(file, nodeTableCodec);
    for (const t of [decoded, tableFromImage(tableImage(decoded))]) {
      const wrong: string[] = [];
      for (let k = 0; k < pairs; k++) {
        const v4 = 0x01000000 + k * 256 + (k % 256);
        const text = `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`;
        const r = t.lookup(text);
        if (r.kind !== 'routed' || r.asn !== 100_000 + k || r.org !== `Org ${k}`) wrong.push(text);
        if (k % 7 === 0) {
          const r6 = t.lookup(`2a00:${(k >>> 16).toString(16)}:${(k & 0xffff).toString(16)}::1`);
          if (r6.kind !== 'routed' || r6.asn !== 100_000 + k) wrong.push(`v6 pair ${k}`);
        }
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(t.toColumns()).toEqual(decoded.toColumns());
    }
  });
});

describe('table image', () => {
  it('answers exactly as the table it was made from, as views into the image', async () => {
    const original = await table();
    const image = tableImage(original);
    const copy = tableFromImage(image);
    expect(copy.meta).toEqual(original.meta);
    expect(copy.toColumns()).toEqual(original.toColumns());
    for (const address of ADDRESSES) {
      const a = original.lookup(address);
      const b = copy.lookup(address);
      expect(b).toEqual(a);
      if (a.kind === 'routed' && b.kind === 'routed') {
        expect([b.rangeStart, b.rangeEnd]).toEqual([a.rangeStart, a.rangeEnd]);
      }
    }
    // Views, not copies: the image is the table's only memory.
    expect(copy.toColumns().v6KeysHigh.buffer).toBe(image.buffer);
    expect(partsOf(copy)?.indexes.v4Entries.buffer).toBe(image.buffer);
  });

  it("reads an earlier release's image (version 2), checking its columns, and refuses it damaged", async () => {
    const original = await table();
    const older = version2Image(original);
    expect(imageVersionOf(older)).toBe(2);
    const copy = tableFromImage(older);
    expect(copy.toColumns()).toEqual(original.toColumns());
    for (const address of ADDRESSES) expect(copy.lookup(address)).toEqual(original.lookup(address));
    // A value beyond the pairs: an older image is checked like any older release's columns.
    const damaged = version2Image(original);
    const header = JSON.parse(
      new TextDecoder().decode(
        damaged.subarray(12, 12 + new DataView(damaged.buffer).getUint32(8, true)),
      ),
    ) as { arrays: [string, string, number, number][] };
    const values = header.arrays.find(([name]) => name === 'v4Values')!;
    new Uint32Array(damaged.buffer, values[2], values[3])[1] = 99;
    expect(() => tableFromImage(damaged)).toThrow(/value beyond the pairs/);
  });

  it('has a checksum that changes with any single byte', async () => {
    const image = tableImage(await table());
    const sum = imageChecksum(image);
    for (const at of [0, 13, image.length >> 1, image.length - 8, image.length - 1]) {
      const damaged = image.slice();
      damaged[at]! ^= 0x01;
      expect(imageChecksum(damaged), `byte ${at}`).not.toBe(sum);
    }
    expect(imageChecksum(image.slice(0, image.length - 8))).not.toBe(sum);
  });

  it('refuses images with a wrong magic, version or out-of-bounds arrays', async () => {
    const image = tableImage(await table());
    const badMagic = image.slice();
    badMagic[0] = 0;
    expect(() => tableFromImage(badMagic)).toThrow(TableFormatError);
    const badVersion = image.slice();
    badVersion[4] = 99;
    expect(() => tableFromImage(badVersion)).toThrow(/version/);
    expect(() => tableFromImage(image.slice(0, image.length - 64))).toThrow(/out of bounds/);
    expect(() => tableFromImage(image.slice(0, 40))).toThrow(TableFormatError);
  });
});

describe('IPv4 search inside a /16', () => {
  it('finds the covering range for every address of dense and skewed /16s (scan, guess, bisection)', async () => {
    // Two /16s with 200 ranges bunched at one end (the even-spread guess lands far off), one
    // with 40 ranges at every 7th /24, and one with a few: each search path runs.
    const ranges: RoutedRange[] = [];
    const base1 = 0x0b000000;
    for (let k = 0; k < 200; k++) {
      const start = base1 + k * 16;
      ranges.push({
        family: 4,
        start: BigInt(start),
        end: BigInt(start + 7),
        asn: 1000 + k,
        org: `o${k % 13}`,
      });
    }
    const base4 = 0x0e030000;
    for (let k = 0; k < 200; k++) {
      const start = base4 + 65536 - 3200 + k * 16;
      ranges.push({
        family: 4,
        start: BigInt(start),
        end: BigInt(start + 7),
        asn: 4000 + k,
        org: `o${k % 11}`,
      });
    }
    const base2 = 0x0c010000;
    for (let k = 0; k < 40; k++) {
      const start = base2 + k * 7 * 256;
      ranges.push({
        family: 4,
        start: BigInt(start),
        end: BigInt(start + 255),
        asn: 2000 + k,
        org: 'p',
      });
    }
    const base3 = 0x0d020000;
    ranges.push({
      family: 4,
      start: BigInt(base3 + 0x100),
      end: BigInt(base3 + 0x1ff),
      asn: 3001,
      org: 'q',
    });
    ranges.push({
      family: 4,
      start: BigInt(base3 + 0x8000),
      end: BigInt(base3 + 0xffff),
      asn: 3002,
      org: 'q',
    });
    ranges.sort((x, y) => (x.start < y.start ? -1 : 1));
    const file = encodeTable(
      ranges,
      { source: 't', sourceVersion: '1', builtFrom: 'x' },
      nodeTableEncoderCodec,
    );
    const t = await decodeTable(file, nodeTableCodec);
    const expected = (a: number): number => {
      const r = ranges.find((x) => BigInt(a) >= x.start && BigInt(a) <= x.end);
      return r ? r.asn : 0;
    };
    const fmt = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    for (const base of [base1, base2, base3, base4]) {
      for (let a = base; a < base + 65536; a += 3) {
        const r = t.lookup(fmt(a));
        expect(r.kind === 'routed' ? r.asn : 0, fmt(a)).toBe(expected(a));
      }
    }
    const r = t.lookup(fmt(base1 + 16 * 57 + 3));
    expect(r).toMatchObject({
      kind: 'routed',
      asn: 1057,
      rangeStart: fmt(base1 + 912),
      rangeEnd: fmt(base1 + 919),
    });
  });
});
