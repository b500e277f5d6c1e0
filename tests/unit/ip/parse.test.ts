import { describe, expect, it } from 'vitest';
import { formatIp, parseIp, parseIpv4Fast } from '../../../lib/ip/parse';
import type { IpAddress } from '../../../lib/ip/types';

function v4(text: string): number {
  const r = parseIp(text);
  if (!r.ok || r.address.family !== 4) throw new Error(`expected IPv4 for ${text}`);
  return r.address.value;
}

function v6(text: string): readonly number[] {
  const r = parseIp(text);
  if (!r.ok || r.address.family !== 6)
    throw new Error(`expected IPv6 for ${text}: ${JSON.stringify(r)}`);
  return r.address.words;
}

function reason(text: string): string {
  const r = parseIp(text);
  if (r.ok) throw new Error(`expected failure for ${text}`);
  return r.reason;
}

/** Deterministic PRNG so property tests are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The WHATWG URL parser is an independent IPv6 implementation to check ours against. */
function urlCanonical(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

describe('parseIp IPv4', () => {
  it('parses dotted quads to unsigned values', () => {
    expect(v4('0.0.0.0')).toBe(0);
    expect(v4('255.255.255.255')).toBe(4294967295);
    expect(v4('1.2.3.4')).toBe(0x01020304);
    expect(v4('202.96.128.86')).toBe(((202 * 256 + 96) * 256 + 128) * 256 + 86);
  });

  it.each([
    ['010.0.0.1', 'leading zeros'],
    ['1.2.3.256', 'greater than 255'],
    ['1.2.3', 'four dotted octets'],
    ['1.2.3.4.5', 'more than four'],
    ['1..2.3', 'empty octet'],
    ['1.2.3.', 'empty octet'],
    ['0x1.2.3.4', "unexpected character 'x'"],
    ['1.2.3.4a', "unexpected character 'a'"],
    ['16909060', 'bare number'],
    [' 1.2.3.4', 'whitespace'],
    ['1.2.3.4\n', 'whitespace'],
    ['', 'empty'],
    ['1.2.3.4/24', 'CIDR'],
    ['1.2.3.4:80', "unexpected character ':'"],
    ['999999999999999999.1.1.1', 'too long'],
  ])('rejects %s with a reason about %s', (text, why) => {
    expect(reason(text)).toContain(why);
  });

  it('round-trips random addresses through formatIp', () => {
    const rand = mulberry32(4);
    for (let i = 0; i < 2000; i++) {
      const value = Math.floor(rand() * 2 ** 32);
      const text = formatIp({ family: 4, value });
      expect(v4(text)).toBe(value);
    }
  });
});

describe('parseIpv4Fast', () => {
  it('agrees with parseIp on canonical quads and declines everything else', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 5000; i++) {
      const value = Math.floor(rand() * 2 ** 32);
      expect(parseIpv4Fast(formatIp({ family: 4, value }))).toBe(value);
    }
    for (const text of ['0.0.0.0', '255.255.255.255', '1.2.3.4', '10.200.30.4']) {
      expect(parseIpv4Fast(text)).toBe(v4(text));
    }
    // Each of these is either invalid or needs the full parser (mapped IPv6): never a guess.
    for (const text of [
      '010.0.0.1',
      '1.2.3.256',
      '1.2.3',
      '1.2.3.4.5',
      '1..2.3',
      '1.2.3.',
      '.1.2.3',
      '1.2.3.4a',
      ' 1.2.3.4',
      '1.2.3.4:80',
      '::ffff:1.2.3.4',
      '1.2.3.00',
      '1.2.3.4/8',
      '1000.2.3.4',
      '',
    ]) {
      expect(parseIpv4Fast(text)).toBe(-1);
    }
  });
});

describe('parseIp IPv6', () => {
  it('parses the compressed, full and edge forms', () => {
    expect(v6('::')).toEqual([0, 0, 0, 0]);
    expect(v6('::1')).toEqual([0, 0, 0, 1]);
    expect(v6('1::')).toEqual([0x00010000, 0, 0, 0]);
    expect(v6('2001:DB8::ff00:42:8329')).toEqual([0x20010db8, 0, 0xff00, 0x00428329]);
    expect(v6('2001:0db8:0000:0000:0000:ff00:0042:8329')).toEqual(v6('2001:db8::ff00:42:8329'));
    expect(v6('1:2:3:4:5:6:7::')).toEqual([0x00010002, 0x00030004, 0x00050006, 0x00070000]);
    expect(v6('::2:3:4:5:6:7:8')).toEqual([0x00000002, 0x00030004, 0x00050006, 0x00070008]);
    expect(v6('64:ff9b::1.2.3.4')).toEqual([0x0064ff9b, 0, 0, 0x01020304]);
    expect(v6('::1.2.3.4')).toEqual([0, 0, 0, 0x01020304]);
    expect(v6('1:2:3:4:5:6:1.2.3.4')).toEqual([0x00010002, 0x00030004, 0x00050006, 0x01020304]);
  });

  it('returns IPv4-mapped addresses as family 4 in both notations', () => {
    expect(v4('::ffff:1.2.3.4')).toBe(0x01020304);
    expect(v4('::FFFF:0102:0304')).toBe(0x01020304);
    expect(v4('0:0:0:0:0:ffff:102:304')).toBe(0x01020304);
    // Not mapped: the SIIT form ::ffff:0:a.b.c.d stays IPv6.
    expect(v6('::ffff:0:1.2.3.4')).toEqual([0, 0, 0xffff0000, 0x01020304]);
  });

  it.each([
    ['fe80::1%eth0', 'zone identifiers are not accepted'],
    ['[::1]', 'brackets'],
    [':: 1', 'whitespace'],
    ['1:2:3:4:5:6:7:8:9', 'more than eight groups'],
    ['1:2:3:4:5:6:7', 'needs eight'],
    ['1::2::3', "'::' only once"],
    ['1:2:3:4::5:6:7:8', "eight groups and a '::'"],
    [':1::', 'single colon'],
    ['1::2:', 'single colon'],
    ['12345::', 'more than four hex digits'],
    ['g::', "unexpected character 'g'"],
    ['::1.2.3', 'four dotted octets'],
    ['::1.2.3.04', 'leading zeros'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'too many groups'],
    ['::1.2.3.4:5', "unexpected character ':'"],
  ])('rejects %s with a reason about %s', (text, why) => {
    expect(reason(text)).toContain(why);
  });

  it('agrees with the WHATWG URL parser on random compressed and mixed forms', () => {
    const rand = mulberry32(6);
    for (let i = 0; i < 3000; i++) {
      const groups = Array.from({ length: 8 }, () =>
        rand() < 0.4 ? 0 : Math.floor(rand() * 65536),
      );
      let text = groups.map((g) => g.toString(16)).join(':');
      if (rand() < 0.5) text = text.replace(/(^|:)0(:0)+(:|$)/, '::');
      if (rand() < 0.3) text = text.toUpperCase();
      const canonical = urlCanonical(text);
      const r = parseIp(text);
      expect(r.ok, text).toBe(true);
      if (!r.ok) continue;
      if (r.address.family === 6) expect(formatIp(r.address)).toBe(canonical);
      else expect(canonical.startsWith('::ffff:')).toBe(true);
    }
  });
});

describe('parseIp IPv6 fast path', () => {
  it('accepts and rejects hex-and-colon text exactly as the WHATWG URL parser does', () => {
    // Near-miss forms on purpose (5-digit groups, ':::', stray leading or trailing colons, too
    // many groups): the fast path must decline them all, and the full parser must reject them.
    const rand = mulberry32(17);
    const seps = [':', ':', ':', '::', ':::'];
    let valid = 0;
    for (let i = 0; i < 20000; i++) {
      const count = Math.floor(rand() * 10);
      let text = rand() < 0.15 ? (rand() < 0.5 ? ':' : '::') : '';
      for (let g = 0; g < count; g++) {
        if (g > 0) text += seps[Math.floor(rand() * seps.length)]!;
        const digits = 1 + Math.floor(rand() * (rand() < 0.1 ? 5 : 4));
        for (let d = 0; d < digits; d++) text += '0123456789abcdefABCDEF'[Math.floor(rand() * 22)];
      }
      if (rand() < 0.15) text += rand() < 0.5 ? ':' : '::';
      let canonical: string | undefined;
      try {
        canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
      } catch {
        canonical = undefined;
      }
      const r = parseIp(text);
      expect(r.ok, text).toBe(canonical !== undefined);
      if (!r.ok || canonical === undefined) continue;
      valid++;
      if (r.address.family === 6) expect(formatIp(r.address), text).toBe(canonical);
      else expect(canonical.startsWith('::ffff:'), text).toBe(true);
    }
    expect(valid).toBeGreaterThan(2000);
  });
});

describe('formatIp', () => {
  it('writes RFC 5952 text', () => {
    const f = (words: [number, number, number, number]) => formatIp({ family: 6, words });
    expect(f([0x20010db8, 0, 0, 1])).toBe('2001:db8::1');
    expect(f([0x20010db8, 0, 0x00010000, 1])).toBe('2001:db8::1:0:0:1'); // first longest run
    expect(f([0x20010db8, 0x00000001, 0x00010001, 0x00010001])).toBe('2001:db8:0:1:1:1:1:1'); // lone zero kept
    expect(f([0, 0, 0, 0])).toBe('::');
    expect(f([0x00010000, 0, 0, 0])).toBe('1::');
    expect(f([0, 0, 0xffff, 0x01020304])).toBe('::ffff:1.2.3.4');
  });

  it('round-trips random IPv6 words and matches the URL serializer', () => {
    const rand = mulberry32(9);
    for (let i = 0; i < 3000; i++) {
      const words = Array.from({ length: 4 }, () =>
        rand() < 0.3 ? 0 : Math.floor(rand() * 2 ** 32),
      ) as [number, number, number, number];
      if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) continue;
      const address: IpAddress = { family: 6, words };
      const text = formatIp(address);
      expect(text).toBe(urlCanonical(text));
      expect(v6(text)).toEqual(words);
    }
  });
});
