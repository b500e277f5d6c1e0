// The lookup's shortcuts must never change an answer: the first-octet filter in front of
// classifyIpv4 and the IPv6 formatter's tables.
import { describe, expect, it } from 'vitest';
import { classifyIpv4, classifyIpv6 } from '../../../lib/ip/classify';
import { formatIpv6Words } from '../../../lib/ip/parse';
import { MAYBE_SPECIAL_V4, maybeSpecialV6 } from '../../../lib/prefix-table/table';

describe('lookup fast paths', () => {
  it('skips classifyIpv4 only under first octets where every address is public', () => {
    for (let a = 0; a < 256; a++) {
      if (MAYBE_SPECIAL_V4[a] === 1) continue;
      // Special-purpose ranges are no finer than /24 here: probe the first and last of each /24.
      for (let b = 0; b < 256; b++) {
        for (let c = 0; c < 256; c++) {
          const base = ((a << 24) | (b << 16) | (c << 8)) >>> 0;
          if (classifyIpv4(base) !== 'public' || classifyIpv4(base + 255) !== 'public') {
            throw new Error(`${a}.${b}.${c}.0/24 is special but octet ${a} is not flagged`);
          }
        }
      }
    }
    expect(MAYBE_SPECIAL_V4.reduce((n, f) => n + f, 0)).toBeLessThan(256);
  });

  it('skips classifyIpv6 only under top 16 bits where every address is public', () => {
    let seed = 5;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    let skipped = 0;
    for (let top = 0; top < 65536; top++) {
      const w0Low = top << 16;
      if (maybeSpecialV6(w0Low >>> 0)) continue;
      skipped++;
      // classifyIpv6 tests bits of the first two words at most: probe their edges and random fills.
      const probes: [number, number, number, number][] = [
        [w0Low, 0, 0, 0],
        [w0Low | 0xffff, 0xffffffff, 0xffffffff, 0xffffffff],
        [w0Low | (next() & 0xffff), next(), next(), next()],
        [w0Low | (next() & 0x0fff), next() & 0xffff, 0, next() & 3],
      ];
      for (const [w0, w1, w2, w3] of probes) {
        if (classifyIpv6(w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0) !== 'public') {
          throw new Error(`${top.toString(16)}::/16 has special addresses but is skipped`);
        }
        expect(maybeSpecialV6(w0 >>> 0)).toBe(false);
      }
    }
    // Global unicast 2000::/3, less 2001::/16 and 3fff::/16.
    expect(skipped).toBe(8192 - 2);
  });

  it('formats IPv6 words as the WHATWG URL parser does', () => {
    let seed = 11;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 3000; i++) {
      // Zero some groups so that '::' runs of every length and position occur.
      const words = [next(), next(), next(), next()].map((w) => {
        const mask = next();
        return ((mask & 1 ? w & 0xffff : w) & (mask & 2 ? 0xffff0000 : 0xffffffff)) >>> 0;
      }) as [number, number, number, number];
      const text = formatIpv6Words(...words);
      expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`);
    }
  });
});
