import { describe, expect, it } from 'vitest';
import { checkAsnNumber, parseAsnInput } from '../../../lib/watchlist/asn';

describe('parseAsnInput', () => {
  it.each([
    ['AS4134', 4134],
    ['as4134', 4134],
    ['As4134', 4134],
    ['AS 4134', 4134],
    ['4134', 4134],
    [' 4134 ', 4134],
    ['\t58453\n', 58453],
    ['4199999999', 4199999999],
    ['2.10', 131082],
    ['AS2.0', 131072],
    ['AS0.4134', 4134],
  ])('reads %j as %d', (text, asn) => {
    expect(parseAsnInput(text)).toEqual({ ok: true, asn });
  });

  it.each([
    ['', /enter an AS number/],
    ['   ', /enter an AS number/],
    ['AS', /not an AS number/],
    ['ASN4134', /not an AS number/],
    ['-4134', /not an AS number/],
    ['+4134', /not an AS number/],
    ['4134a', /not an AS number/],
    ['0x1026', /not an AS number/],
    ['4e3', /not an AS number/],
    ['4134.', /not an AS number/],
    ['1.2.3', /not an AS number/],
    ['41 34', /not an AS number/],
    ['12345678901', /not an AS number/],
    ['4294967296', /larger than the largest AS number/],
    ['0', /reserved \(RFC 7607\)/],
    ['AS0', /reserved/],
    ['23456', /AS_TRANS/],
    ['AS64512', /private use/],
    ['4200000000', /private use/],
    ['64496', /documentation/],
    ['65535', /reserved \(RFC 7300\)/],
    ['4294967295', /reserved \(RFC 7300\)/],
    ['1.70000', /not valid asdot/],
    ['70000.1', /not valid asdot/],
    ['0.0', /reserved/],
    ['1.10', /AS65546 is reserved for documentation/],
  ])('rejects %j with a reason', (text, reason) => {
    const result = parseAsnInput(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('never throws on a non-string', () => {
    expect(parseAsnInput(undefined as unknown as string).ok).toBe(false);
    expect(parseAsnInput(4134 as unknown as string).ok).toBe(false);
  });
});

describe('checkAsnNumber', () => {
  it('accepts real AS numbers at the edges of the public ranges', () => {
    for (const asn of [1, 23455, 23457, 64495, 131072, 4199999999]) {
      expect(checkAsnNumber(asn)).toEqual({ ok: true, asn });
    }
  });

  it('rejects non-integers, out-of-range and special numbers', () => {
    for (const value of [1.5, -1, 2 ** 32, NaN, Infinity, '4134', null, 0, 23456, 65551]) {
      expect(checkAsnNumber(value).ok).toBe(false);
    }
  });
});
