import { describe, expect, it } from 'vitest';
import {
  cidrBounds,
  cidrContains,
  formatCidr,
  parseCidr,
  rangeToCidrs,
} from '../../../lib/ip/cidr';
import { formatIp, parseIp } from '../../../lib/ip/parse';
import type { Cidr } from '../../../lib/ip/types';

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.reason);
  return r.cidr;
}

function contains(c: string, a: string): boolean {
  const r = parseIp(a);
  if (!r.ok) throw new Error(r.reason);
  return cidrContains(cidr(c), r.address);
}

describe('parseCidr', () => {
  it('parses and formats both families', () => {
    expect(formatCidr(cidr('10.0.0.0/8'))).toBe('10.0.0.0/8');
    expect(formatCidr(cidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(formatCidr(cidr('1.2.3.4/32'))).toBe('1.2.3.4/32');
    expect(formatCidr(cidr('2001:DB8:0::/32'))).toBe('2001:db8::/32');
    expect(formatCidr(cidr('::/0'))).toBe('::/0');
    expect(formatCidr(cidr('2409:8000::/20'))).toBe('2409:8000::/20');
  });

  it('turns an IPv4-mapped prefix inside ::ffff:0:0/96 into IPv4', () => {
    expect(formatCidr(cidr('::ffff:1.2.3.0/120'))).toBe('1.2.3.0/24');
  });

  it.each([
    ['10.0.0.1/8', 'host bits set: did you mean 10.0.0.0/8?'],
    ['2001:db8::1/32', 'host bits set: did you mean 2001:db8::/32?'],
    ['10.0.0.0/33', 'greater than 32'],
    ['::/129', 'greater than 128'],
    ['10.0.0.0/', 'missing'],
    ['10.0.0.0/08', 'leading zeros'],
    ['10.0.0.0/-1', 'not a decimal number'],
    ['10.0.0.0/ 8', 'not a decimal number'],
    ['10.0.0.0', "needs '/length'"],
    ['10.0.0.0/8/8', "more than one '/'"],
    ['fe80::%eth0/64', 'zone'],
    ['10.0.0/8', 'four dotted octets'],
  ])('rejects %s: %s', (text, why) => {
    const r = parseCidr(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(why);
  });
});

describe('cidrContains', () => {
  it('checks the boundaries', () => {
    expect(contains('10.0.0.0/8', '10.0.0.0')).toBe(true);
    expect(contains('10.0.0.0/8', '10.255.255.255')).toBe(true);
    expect(contains('10.0.0.0/8', '11.0.0.0')).toBe(false);
    expect(contains('10.0.0.0/8', '9.255.255.255')).toBe(false);
    expect(contains('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(contains('1.2.3.4/32', '1.2.3.4')).toBe(true);
    expect(contains('1.2.3.4/32', '1.2.3.5')).toBe(false);
    expect(contains('128.0.0.0/1', '127.255.255.255')).toBe(false);
    expect(contains('128.0.0.0/1', '128.0.0.0')).toBe(true);
    expect(contains('2409:8000::/20', '2409:8fff:ffff::1')).toBe(true);
    expect(contains('2409:8000::/20', '2409:9000::')).toBe(false);
    expect(contains('2001:db8::/127', '2001:db8::1')).toBe(true);
    expect(contains('2001:db8::/127', '2001:db8::2')).toBe(false);
    expect(contains('2001:db8::/64', '2001:db8:0:1::')).toBe(false);
    expect(contains('::/0', 'ffff::')).toBe(true);
  });

  it('never mixes families', () => {
    expect(contains('0.0.0.0/0', '2001:db8::1')).toBe(false);
    expect(contains('::/0', '1.2.3.4')).toBe(false);
  });

  it('gives the first and last address of a prefix', () => {
    const b = cidrBounds(cidr('2409:8000::/20'));
    expect(formatIp(b.last)).toBe('2409:8fff:ffff:ffff:ffff:ffff:ffff:ffff');
    const b4 = cidrBounds(cidr('221.130.0.0/15'));
    expect(formatIp(b4.last)).toBe('221.131.255.255');
  });
});

describe('rangeToCidrs', () => {
  const ip = (text: string) => {
    const parsed = parseIp(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.address;
  };
  const cidrs = (first: string, last: string) => rangeToCidrs(ip(first), ip(last))?.map(formatCidr);

  it('writes an aligned range as one prefix, IPv4 and IPv6', () => {
    expect(cidrs('61.174.56.0', '61.174.63.255')).toEqual(['61.174.56.0/21']);
    expect(cidrs('2401:1320::', '2401:1320:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual([
      '2401:1320::/32',
    ]);
    expect(cidrs('0.0.0.0', '255.255.255.255')).toEqual(['0.0.0.0/0']);
    expect(cidrs('1.2.3.4', '1.2.3.4')).toEqual(['1.2.3.4/32']);
  });

  it('covers an unaligned range exactly with the fewest prefixes', () => {
    expect(cidrs('61.174.56.0', '61.174.67.255')).toEqual(['61.174.56.0/21', '61.174.64.0/22']);
    expect(cidrs('10.0.0.1', '10.0.0.6')).toEqual([
      '10.0.0.1/32',
      '10.0.0.2/31',
      '10.0.0.4/31',
      '10.0.0.6/32',
    ]);
    expect(cidrs('2001:db8::', '2001:db8:0:2:ffff:ffff:ffff:ffff')).toEqual([
      '2001:db8::/63',
      '2001:db8:0:2::/64',
    ]);
  });

  it('refuses mixed families and reversed ranges', () => {
    expect(rangeToCidrs(ip('1.2.3.4'), ip('::1'))).toBeNull();
    expect(rangeToCidrs(ip('1.2.3.5'), ip('1.2.3.4'))).toBeNull();
  });
});
