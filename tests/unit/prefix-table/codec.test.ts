import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../lib/ip/parse';
import {
  decodeTable,
  encodeTable,
  readTableMeta,
  plainLookup,
  tableFromColumns,
  TableFormatError,
  TABLE_FORMAT_VERSION,
  PAYLOAD_PARTS,
  SYMBOL_COMMON,
  SYMBOL_EXPLICIT,
  type PrefixTable,
} from '../../../lib/prefix-table';
import { nodeTableCodec, nodeTableEncoderCodec } from '../../../lib/prefix-table/node-codec';
import { createWebTableCodec } from '../../../lib/prefix-table/web-codec';
import {
  checksumOffset,
  checksummedBytes,
  HEADER_FIXED_BYTES,
} from '../../../lib/prefix-table/encode';
import { addressToBigInt, type RoutedRange } from '../../../lib/sources';

function big(text: string): bigint {
  const r = parseIp(text);
  if (!r.ok) throw new Error(r.reason);
  // Keep IPv4-mapped text IPv6 for range ends written in IPv6.
  if (r.address.family === 4 && text.includes(':'))
    return (0xffffn << 32n) | BigInt(r.address.value);
  return addressToBigInt(r.address);
}

function range(family: 4 | 6, start: string, end: string, asn: number, org: string): RoutedRange {
  return { family, start: big(start), end: big(end), asn, org };
}

const RANGES: RoutedRange[] = [
  range(4, '0.0.0.0', '0.255.255.255', 1, 'Starts at zero'),
  range(4, '1.0.0.0', '1.0.0.255', 13335, 'Cloudflare, Inc.'),
  range(4, '1.0.1.0', '1.0.1.7', 4134, 'Chinanet'),
  range(4, '1.0.1.9', '1.0.3.255', 4134, 'Chinanet'),
  range(4, '1.0.4.0', '1.0.4.0', 4134, 'Chinanet'), // adjacent, same pair: merged
  range(4, '8.8.8.0', '8.8.8.255', 15169, 'Google LLC'),
  range(4, '221.130.0.0', '221.131.255.255', 9808, 'China Mobile — 中国移动'),
  range(4, '255.255.255.0', '255.255.255.255', 4294967294, 'Top'),
  range(6, '2001:500:30ff::', '2001:500:30ff::2f', 396552, 'VeriSign'),
  range(6, '2001:500:30ff::30', '2001:500:30ff::30', 396553, 'Off-grid single'),
  range(6, '2001:500:30ff::31', '2001:500:31ff:ffff:ffff:ffff:ffff:ffff', 396552, 'VeriSign'),
  range(
    6,
    '2409:8000::',
    '2409:8fff:ffff:ffff:ffff:ffff:ffff:ffff',
    9808,
    'China Mobile — 中国移动',
  ),
  range(6, '2c0f:ffff::', '2c0f:ffff:ffff:ffff:ffff:ffff:ffff:fffe', 1, 'Starts at zero'),
];

const META = { source: 'unit', sourceVersion: '1', builtFrom: 'fixture' };

function build(ranges = RANGES): Uint8Array {
  return encodeTable(ranges, META, nodeTableEncoderCodec);
}

function expectRouted(table: PrefixTable, text: string, asn: number, start: string, end: string) {
  expect(table.lookup(text)).toMatchObject({
    kind: 'routed',
    asn,
    rangeStart: start,
    rangeEnd: end,
  });
}

async function expectFormatError(bytes: Uint8Array, message: RegExp): Promise<void> {
  const error = await decodeTable(bytes, nodeTableCodec).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TableFormatError);
  expect((error as Error).message).toMatch(message);
}

/** Rewrites a u32 field of the header (little-endian) at a byte offset. */
function patchU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

/** Writes a fresh checksum into a patched file. */
function resign(file: Uint8Array): Uint8Array {
  file.set(nodeTableEncoderCodec.sha256(checksummedBytes(file)), checksumOffset(file));
  return file;
}

describe('encodeTable / decodeTable', () => {
  it('answers lookups at every boundary of a synthetic table', async () => {
    const t = await decodeTable(build(), nodeTableCodec);
    expect(t.meta).toMatchObject({ ...META, formatVersion: TABLE_FORMAT_VERSION, v6Ranges: 5 });
    expect(t.meta.v4Ranges).toBe(7); // the two adjacent Chinanet rows are one range
    expect(t.meta.asnCount).toBe(8);
    expectRouted(t, '1.0.0.0', 13335, '1.0.0.0', '1.0.0.255');
    expectRouted(t, '1.0.1.7', 4134, '1.0.1.0', '1.0.1.7');
    expect(t.lookup('1.0.1.8')).toEqual({ kind: 'unrouted' });
    expectRouted(t, '1.0.1.9', 4134, '1.0.1.9', '1.0.4.0');
    expectRouted(t, '1.0.4.0', 4134, '1.0.1.9', '1.0.4.0');
    expect(t.lookup('1.0.4.1')).toEqual({ kind: 'unrouted' });
    expect(t.lookup('0.1.2.3')).toEqual({ kind: 'local', scope: 'unspecified' });
    expect(t.lookup('221.131.255.255')).toMatchObject({ org: 'China Mobile — 中国移动' });
    expect(t.lookup('255.255.255.255')).toEqual({ kind: 'local', scope: 'reserved' });
    expectRouted(t, '2001:500:30ff::2f', 396552, '2001:500:30ff::', '2001:500:30ff::2f');
    expectRouted(t, '2001:500:30ff::30', 396553, '2001:500:30ff::30', '2001:500:30ff::30');
    expectRouted(
      t,
      '2001:500:30ff::31',
      396552,
      '2001:500:30ff::31',
      '2001:500:31ff:ffff:ffff:ffff:ffff:ffff',
    );
    expect(t.lookup('2001:500:3200::')).toEqual({ kind: 'unrouted' });
    expect(t.lookup('2001:500:30fe:ffff:ffff:ffff:ffff:ffff')).toEqual({ kind: 'unrouted' });
    expectRouted(t, '2409:8abc::1', 9808, '2409:8000::', '2409:8fff:ffff:ffff:ffff:ffff:ffff:ffff');
    expectRouted(
      t,
      '2c0f:ffff:ffff:ffff:ffff:ffff:ffff:fffe',
      1,
      '2c0f:ffff::',
      '2c0f:ffff:ffff:ffff:ffff:ffff:ffff:fffe',
    );
    expect(t.lookup('2c0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual({ kind: 'unrouted' });
    expect(t.lookupAddress({ family: 6, words: [0, 0, 0xffff, 0x01000001] })).toMatchObject({
      asn: 13335,
    });
  });

  it('never throws from lookup, whatever it is given', async () => {
    const t = await decodeTable(build(), nodeTableCodec);
    for (const bad of ['', ' 1.1.1.1', '1.1.1', '::1::', 'fe80::1%1', '[::1]']) {
      expect(t.lookup(bad).kind).toBe('invalid');
    }
    expect(t.lookup(42 as unknown as string).kind).toBe('invalid');
    expect(t.lookupAddress(null as unknown as never).kind).toBe('invalid');
  });

  it('gives byte-identical output for the same input', () => {
    const a = build();
    const b = build(RANGES.map((r) => ({ ...r })));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const c = build(RANGES.slice(1));
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('stores a name shared by several AS numbers once and answers it for each', async () => {
    const shared = 'One Org, Several ASNs — 同一';
    const ranges = [
      range(4, '1.0.0.0', '1.0.0.255', 100, shared),
      range(4, '1.0.1.0', '1.0.1.255', 200, 'Other'),
      range(4, '1.0.2.0', '1.0.2.255', 300, shared),
      range(6, '2400::', '2400::ffff', 400, shared),
      range(6, '2400::1:0', '2400::1:ffff', 500, 'Other'),
    ];
    const bytes = build(ranges);
    const t = await decodeTable(bytes, nodeTableCodec);
    const c = t.toColumns();
    expect(Array.from(c.dupPairs)).toEqual([3, 4, 5]);
    expect(Array.from(c.dupTargets)).toEqual([1, 1, 2]);
    expect(c.nameStarts.length).toBe(3);
    for (const copy of [t, tableFromColumns(structuredClone(c))]) {
      expect(copy.lookup('1.0.0.1')).toMatchObject({ asn: 100, org: shared });
      expect(copy.lookup('1.0.1.1')).toMatchObject({ asn: 200, org: 'Other' });
      expect(copy.lookup('1.0.2.1')).toMatchObject({ asn: 300, org: shared });
      expect(copy.lookup('2400::1')).toMatchObject({ asn: 400, org: shared });
      expect(copy.lookup('2400::1:1')).toMatchObject({ asn: 500, org: 'Other' });
    }
    const bad = structuredClone(c);
    bad.dupTargets[1] = 3; // a duplicate of a duplicate
    expect(() => tableFromColumns(bad)).toThrow(TableFormatError);
  });

  it('handles a family without any range', async () => {
    const t = await decodeTable(build(RANGES.filter((r) => r.family === 4)), nodeTableCodec);
    expect(t.meta.v6Ranges).toBe(0);
    expect(t.lookup('2409:8000::1')).toEqual({ kind: 'unrouted' });
    expect(t.lookup('1.0.0.1')).toMatchObject({ asn: 13335 });
  });

  it('refuses ranges that are not normalised', () => {
    expect(() => build([RANGES[1]!, RANGES[0]!])).toThrow(RangeError);
    expect(() => build([range(4, '1.0.0.0', '1.0.0.255', 0, 'x')])).toThrow(RangeError);
    expect(() => build([range(4, '1.0.0.0', '1.0.0.255', 1, 'a\nb')])).toThrow(RangeError);
  });

  it('reads the header alone', () => {
    const bytes = build();
    const meta = readTableMeta(bytes);
    expect(meta).toMatchObject(META);
    expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** The file with one same-length header string replaced (the first occurrence after the fixed part). */
function replaceHeaderString(file: Uint8Array, from: string, to: string): Uint8Array {
  const enc = new TextEncoder();
  const [a, b] = [enc.encode(from), enc.encode(to)];
  if (a.length !== b.length) throw new Error('same length only');
  for (let i = HEADER_FIXED_BYTES; i + a.length <= file.length; i++) {
    if (a.every((byte, k) => file[i + k] === byte)) {
      const out = file.slice();
      out.set(b, i);
      return out;
    }
  }
  throw new Error(`${from} not found`);
}

describe('bad table files', () => {
  const good = build();

  it('wrong magic', async () => {
    const bad = good.slice();
    bad[0] = 0x50;
    await expectFormatError(bad, /wrong magic/);
    expect(() => readTableMeta(bad)).toThrow(TableFormatError);
  });

  it('other format version', async () => {
    const bad = good.slice();
    bad[4] = TABLE_FORMAT_VERSION + 1;
    await expectFormatError(bad, /format version \d+ is not supported/);
  });

  it('truncated anywhere', async () => {
    for (const cut of [0, 3, 7, 20, 60, good.length - 1]) {
      await expectFormatError(good.subarray(0, cut), /truncated|too short/);
    }
  });

  it('trailing bytes', async () => {
    const bad = new Uint8Array(good.length + 1);
    bad.set(good);
    await expectFormatError(bad, /unexpected bytes after the checksum/);
  });

  it('checksum mismatch', async () => {
    const bad = good.slice();
    bad[bad.length - 3]! ^= 0x40;
    await expectFormatError(bad, /checksum mismatch/);
  });

  it('a changed header field fails the checksum (source name, version, built from)', async () => {
    const meta = readTableMeta(good);
    for (const [field, from, to] of [
      ['source', META.source, META.source.toUpperCase()],
      ['source version', META.sourceVersion, META.sourceVersion.replace(/./, 'X')],
      ['built from', META.builtFrom, META.builtFrom.toUpperCase()],
    ] as const) {
      expect(to, field).not.toBe(from);
      const bad = replaceHeaderString(good, from, to);
      expect(readTableMeta(bad)).not.toEqual(meta); // the header still parses; only the checksum can tell
      await expectFormatError(bad, /checksum mismatch/);
    }
  });

  it('header counts that do not match the payload', async () => {
    await expectFormatError(patchU32(good, 8, 6), /checksum mismatch/); // v4Ranges, not re-signed
    // Re-signed, as a buggy encoder would write them: the count checks behind the checksum still hold.
    await expectFormatError(resign(patchU32(good, 8, 6)), /do not match the payload/);
    await expectFormatError(resign(patchU32(good, 16, 3)), /ASN count/);
  });

  /** Re-encodes with one payload part damaged before it is compressed and checksummed. */
  function damaged(part: (typeof PAYLOAD_PARTS)[number], damage: (raw: Uint8Array) => Uint8Array) {
    let i = 0;
    return encodeTable(RANGES, META, {
      ...nodeTableEncoderCodec,
      deflateRaw: (raw) =>
        nodeTableEncoderCodec.deflateRaw(PAYLOAD_PARTS[i++] === part ? damage(raw.slice()) : raw),
    });
  }

  it('a corrupt payload with a valid checksum', async () => {
    const setU32 = (offset: number, delta: number) => (raw: Uint8Array) => {
      const view = new DataView(raw.buffer);
      view.setUint32(offset, view.getUint32(offset, true) + delta, true);
      return raw;
    };
    await expectFormatError(damaged('counts', setU32(0, 1)), /pairs declared/);
    await expectFormatError(damaged('counts', setU32(4, 1)), /v4 keys|v4 values/);
    await expectFormatError(
      damaged('v4 symbols', (raw) => raw.fill(200, 3, 4)),
      /bad symbol 200/,
    );
    await expectFormatError(
      damaged('v4 symbols', (raw) => raw.fill(3, 0, 1)),
      /empty MTF slot/,
    );
    await expectFormatError(
      damaged('v4 symbols', (raw) => raw.fill(SYMBOL_EXPLICIT, 0, 1)),
      /v4 values/,
    );
    await expectFormatError(
      damaged('ASNs', (raw) => raw.fill(0)),
      /AS number out of range/,
    );
    await expectFormatError(
      damaged('names', (raw) => raw.map((b) => (b === 10 ? 32 : b))),
      /fewer names than pairs/,
    );
    // 2001:500:30ff::30 loses its low bits: it would equal 2001:500:30ff:: before it.
    await expectFormatError(
      damaged('v6 low bits', (raw) => raw.map((b) => (b === 0x30 ? 0 : b))),
      /v6 keys are not increasing/,
    );
    await expectFormatError(
      damaged('v6 keys', (raw) => raw.subarray(1)),
      /inflate to|v6 keys/,
    );
    // The key readers check the length and the order after their loops: both checks must fire.
    // A continuation bit on the last byte makes the last varint run past the end of its part.
    const runOn = (raw: Uint8Array) => raw.fill(raw[raw.length - 1]! | 0x80, raw.length - 1);
    await expectFormatError(
      damaged('v4 keys', runOn),
      /(truncated while reading|bad varint in) v4 keys/,
    );
    await expectFormatError(
      damaged('v6 keys', runOn),
      /(truncated while reading|bad varint in) v6 keys/,
    );
    await expectFormatError(
      damaged('v4 keys', (raw) => raw.fill(0, 1, 2)),
      /v4 keys are not increasing/,
    );
  });
});

describe('common ids', () => {
  // One network with customer prefixes of 20 other networks carved out of it, five times over: after
  // each carve-out it has left the MTF window, so it is written by id, often enough to be common.
  const carved: RoutedRange[] = [];
  for (let block = 0; block < 5; block++) {
    for (let k = 0; k < 20; k++) {
      carved.push(range(4, `11.${block}.${2 * k}.0`, `11.${block}.${2 * k}.255`, 64500, 'Carrier'));
      const asn = 65000 + block * 20 + k;
      carved.push(
        range(4, `11.${block}.${2 * k + 1}.0`, `11.${block}.${2 * k + 1}.255`, asn, `C${asn}`),
      );
    }
    carved.push(range(4, `11.${block}.40.0`, `11.${block}.40.255`, 64500, 'Carrier'));
    for (let k = 0; k < 20; k++) {
      const asn = 66000 + block * 20 + k;
      carved.push(range(4, `11.${block}.${41 + k}.0`, `11.${block}.${41 + k}.255`, asn, `D${asn}`));
    }
  }
  carved.push(range(4, '11.9.0.0', '11.9.0.255', 64500, 'Carrier'));

  it('gives the most often explicit id a symbol of its own and decodes it', async () => {
    const raws: Uint8Array[] = [];
    const file = encodeTable(carved, META, {
      ...nodeTableEncoderCodec,
      deflateRaw: (raw) => (raws.push(raw), nodeTableEncoderCodec.deflateRaw(raw)),
    });
    const counts = new DataView(raws[0]!.buffer);
    expect(counts.getUint32(32, true)).toBe(2); // v4 common ids: the carrier and the gap between blocks
    const symbols = raws[PAYLOAD_PARTS.indexOf('v4 symbols')]!;
    expect(symbols.filter((s) => s === SYMBOL_COMMON).length).toBeGreaterThanOrEqual(4);
    const t = await decodeTable(file, nodeTableCodec);
    for (const r of carved) {
      const text = `${r.start >> 24n}.${(r.start >> 16n) & 255n}.${(r.start >> 8n) & 255n}.${r.start & 255n}`;
      expect(t.lookup(text), text).toMatchObject({ kind: 'routed', asn: r.asn, org: r.org });
    }
  });

  it('refuses a common-id symbol beyond the list', async () => {
    let i = 0;
    const bad = encodeTable(carved, META, {
      ...nodeTableEncoderCodec,
      deflateRaw: (raw) =>
        nodeTableEncoderCodec.deflateRaw(
          PAYLOAD_PARTS[i++] === 'v4 symbols'
            ? raw.map((s) => (s === SYMBOL_COMMON ? 255 : s))
            : raw,
        ),
    });
    const error = await decodeTable(bad, nodeTableCodec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TableFormatError);
    expect((error as Error).message).toMatch(/bad symbol 255/);
  });
});

describe('columns and codecs', () => {
  it('rebuilds a table from structured-cloned columns', async () => {
    const t = await decodeTable(build(), nodeTableCodec);
    const copy = tableFromColumns(structuredClone(t.toColumns()));
    for (const text of ['1.0.1.9', '8.8.8.8', '2001:500:30ff::30', '2409:8000::', '9.9.9.9']) {
      expect(plainLookup(copy.lookup(text))).toEqual(plainLookup(t.lookup(text)));
    }
    expect(copy.meta).toEqual(t.meta);
  });

  it('rejects inconsistent columns', async () => {
    const t = await decodeTable(build(), nodeTableCodec);
    const columns = structuredClone(t.toColumns());
    columns.v4Keys[2] = columns.v4Keys[1]!;
    expect(() => tableFromColumns(columns)).toThrow(TableFormatError);
    const c2 = structuredClone(t.toColumns());
    c2.v6Values[1] = 999;
    expect(() => tableFromColumns(c2)).toThrow(TableFormatError);
    const c3 = structuredClone(t.toColumns());
    c3.v6KeysMid = new Uint32Array(1);
    expect(() => tableFromColumns(c3)).toThrow(TableFormatError);
  });

  it('decodes with the web codec (DecompressionStream + crypto.subtle) in Node', async () => {
    const bytes = build();
    const web = await decodeTable(bytes, createWebTableCodec());
    const node = await decodeTable(bytes, nodeTableCodec);
    expect(web.toColumns()).toEqual(node.toColumns());
    const bad = bytes.slice();
    bad[bad.length - 3]! ^= 1;
    await expect(decodeTable(bad, createWebTableCodec())).rejects.toThrow(/checksum/);
  });

  it('the web codec uses the platform APIs it is given', async () => {
    const broken = createWebTableCodec({
      subtle: { digest: () => Promise.reject(new Error('no digest')) } as unknown as SubtleCrypto,
    });
    await expect(decodeTable(build(), broken)).rejects.toThrow(/no digest/);
  });

  it('the web codec inflates one stream at a time (issue 10: concurrent streams are ~3x slower in Chromium)', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const started: number[] = [];
    const Real = globalThis.DecompressionStream;
    // A DecompressionStream that records how many inflate at once: each one counts from its first
    // written chunk until its readable side has been read to the end.
    class Counting extends Real {
      constructor(format: CompressionFormat) {
        super(format);
        const writable = this.writable;
        const readable = this.readable;
        let done = false;
        const finish = () => {
          if (!done) running--;
          done = true;
        };
        Object.defineProperty(this, 'writable', {
          value: new WritableStream<BufferSource>({
            async write(chunk) {
              started.push((chunk as Uint8Array).length);
              running++;
              mostAtOnce = Math.max(mostAtOnce, running);
              const w = writable.getWriter();
              await w.write(chunk);
              w.releaseLock();
            },
            close: () => writable.close(),
          }),
        });
        Object.defineProperty(this, 'readable', {
          value: readable.pipeThrough(new TransformStream({ flush: finish })),
        });
      }
    }
    const bytes = build();
    const codec = createWebTableCodec({
      DecompressionStream: Counting as typeof DecompressionStream,
    });
    const table = await decodeTable(bytes, codec);
    expect(table.lookup('1.0.0.1')).toMatchObject({ kind: 'routed', asn: 13335 });
    expect(started).toHaveLength(PAYLOAD_PARTS.length);
    expect(mostAtOnce).toBe(1);
  });

  it('the web codec still inflates the later streams after one fails', async () => {
    const codec = createWebTableCodec();
    const bad = codec.inflateRaw(new Uint8Array([0xff, 0xff, 0xff]), 10);
    const good = codec.inflateRaw(nodeTableEncoderCodec.deflateRaw(new Uint8Array([1, 2, 3])), 3);
    await expect(bad).rejects.toThrow();
    expect([...(await good)]).toEqual([1, 2, 3]);
  });

  it('the Node codec inflates into a buffer of exactly the raw length, so the names are kept without a copy', async () => {
    // Enough distinct names (> 4 KB) that zlib's output is not carved from Node's buffer pool.
    const ranges = Array.from({ length: 400 }, (_, i) =>
      range(
        4,
        `11.${i >> 8}.${i & 255}.0`,
        `11.${i >> 8}.${i & 255}.255`,
        64512 + i,
        `Network number ${i} of the many`,
      ),
    );
    const inflated: Uint8Array[] = [];
    const codec = {
      ...nodeTableCodec,
      inflateRaw: (bytes: Uint8Array, rawLength?: number) => {
        const out = nodeTableCodec.inflateRaw(bytes, rawLength) as Uint8Array;
        inflated.push(out);
        return out;
      },
    };
    const columns = (await decodeTable(build(ranges), codec)).toColumns();
    const names = inflated[PAYLOAD_PARTS.indexOf('names')]!;
    expect(names.byteLength).toBeGreaterThan(8192);
    expect(names.buffer.byteLength).toBe(names.byteLength);
    expect(columns.names).toBe(names);
  });
});
