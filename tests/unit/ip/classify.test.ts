import { describe, expect, it } from 'vitest';
import { classifyIp, describeScope } from '../../../lib/ip/classify';
import { parseIp } from '../../../lib/ip/parse';
import type { AddressScope } from '../../../lib/ip/types';

function scope(text: string): AddressScope {
  const r = parseIp(text);
  if (!r.ok) throw new Error(r.reason);
  return classifyIp(r.address);
}

describe('classifyIp', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.255.255.255', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['9.255.255.255', 'public'],
    ['11.0.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['100.63.255.255', 'public'],
    ['100.64.0.0', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['169.254.1.1', 'link-local'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.255', 'documentation'],
    ['203.0.114.0', 'public'],
    ['198.17.255.255', 'public'],
    ['198.18.0.0', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.20.0.0', 'public'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['1.1.1.1', 'public'],
    ['202.96.128.86', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::2', 'reserved'],
    ['::ffff:10.0.0.1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:db9::1', 'public'],
    ['3fff::1', 'documentation'],
    ['3fff:fff::1', 'documentation'],
    ['3fff:1000::', 'public'],
    ['100::1', 'reserved'],
    ['100:0:0:2::', 'public'],
    ['2001:2::1', 'benchmarking'],
    ['2001:2:1::', 'reserved'],
    ['2001::1', 'public'],
    ['2001:4:112::1', 'public'],
    ['2001:10::1', 'reserved'],
    ['64:ff9b::1.2.3.4', 'public'],
    ['64:ff9b:1::1', 'reserved'],
    ['2400:cb00::1', 'public'],
  ])('%s is %s', (text, expected) => {
    expect(scope(text)).toBe(expected);
  });

  it('describes every scope in words', () => {
    const scopes: AddressScope[] = [
      'public',
      'unspecified',
      'loopback',
      'private',
      'shared',
      'link-local',
      'unique-local',
      'multicast',
      'documentation',
      'benchmarking',
      'reserved',
    ];
    const texts = scopes.map(describeScope);
    expect(new Set(texts).size).toBe(scopes.length);
    expect(describeScope('loopback')).toMatch(/loopback/);
  });
});
