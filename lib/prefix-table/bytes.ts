import { TableFormatError } from './types';

/** Growable byte buffer for the encoder. */
export class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  /** Unsigned LEB128 of a safe integer (< 2^53). */
  varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint out of range: ${n}`);
    this.ensure(8);
    while (n >= 128) {
      this.buf[this.length++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.length++] = n;
  }

  /** Unsigned LEB128 of any non-negative BigInt. */
  varintBig(n: bigint): void {
    if (n < 0n) throw new RangeError('negative varint');
    if (n <= BigInt(Number.MAX_SAFE_INTEGER)) return this.varint(Number(n));
    while (n >= 128n) {
      this.byte(Number(n & 127n) | 128);
      n >>= 7n;
    }
    this.byte(Number(n));
  }

  u32(n: number): void {
    this.ensure(4);
    this.buf[this.length++] = n & 255;
    this.buf[this.length++] = (n >>> 8) & 255;
    this.buf[this.length++] = (n >>> 16) & 255;
    this.buf[this.length++] = (n >>> 24) & 255;
  }

  u16(n: number): void {
    this.ensure(2);
    this.buf[this.length++] = n & 255;
    this.buf[this.length++] = (n >>> 8) & 255;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Bounds-checked reader; every overrun is a TableFormatError naming what was being read. */
export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new TableFormatError(`truncated while reading ${what}`);
  }

  u16(what: string): number {
    this.need(2, what);
    const b = this.buf;
    const v = b[this.pos]! | (b[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
