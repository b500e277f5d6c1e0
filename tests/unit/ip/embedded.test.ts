import { describe, expect, it } from 'vitest';
import { describeEmbeddedKind, embeddedIpv4, teredoServer } from '../../../lib/ip/embedded';
import { formatIpv4, parseIp } from '../../../lib/ip/parse';
import type { IpAddress } from '../../../lib/ip/types';

function address(text: string): IpAddress {
  const r = parseIp(text);
  if (!r.ok) throw new Error(r.reason);
  return r.address;
}

/** The decoded form as text: "nat64 202.96.128.86", or null. */
function decoded(text: string): string | null {
  const embedded = embeddedIpv4(address(text));
  return embedded && `${embedded.kind} ${formatIpv4(embedded.ipv4)}`;
}

// 202.96.128.86 (China Telecom, AS4134) is 0xca608056; 1.1.1.1 (Cloudflare) is 0x01010101.
describe('embeddedIpv4', () => {
  it.each([
    // RFC 6052 well-known prefix 64:ff9b::/96: the IPv4 is bits 96–127.
    ['64:ff9b::ca60:8056', 'nat64 202.96.128.86'],
    ['64:ff9b::202.96.128.86', 'nat64 202.96.128.86'],
    ['64:ff9b::101:101', 'nat64 1.1.1.1'],
    ['64:ff9b::10.0.0.1', 'nat64 10.0.0.1'],
    ['64:ff9b::', 'nat64 0.0.0.0'],
    // RFC 8215 local-use 64:ff9b:1::/48, RFC 6052 §2.2 /48 layout: octets 1–2 in bits 48–63,
    // u-octet (bits 64–71) zero, octets 3–4 in bits 72–87, suffix (88–127) zero.
    ['64:ff9b:1:ca60:80:5600::', 'nat64-local 202.96.128.86'],
    ['64:ff9b:1:101:1:100::', 'nat64-local 1.1.1.1'],
    ['64:ff9b:1:ffff:ff:ff00::', 'nat64-local 255.255.255.255'],
    // 6to4 2002::/16: the IPv4 is bits 16–47, whatever the subnet and interface id after it.
    ['2002:ca60:8056::', '6to4 202.96.128.86'],
    ['2002:ca60:8056:1:2:3:4:5', '6to4 202.96.128.86'],
    ['2002:101:101::1', '6to4 1.1.1.1'],
    // Teredo 2001:0::/32: the client's public IPv4 is bits 96–127 inverted. RFC 4380 §4's
    // example: server 65.54.227.120, client 192.0.2.45 port 40000.
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo 192.0.2.45'],
    ['2001:0:4136:e378:8000:63bf:359f:7fa9', 'teredo 202.96.128.86'],
    ['2001::fefe:fefe', 'teredo 1.1.1.1'],
  ])('%s carries %s', (text, expected) => {
    expect(decoded(text)).toBe(expected);
  });

  it.each([
    // Bits 32–95 of the well-known prefix must be zero: it is only ever a /96.
    '64:ff9b:0:1::ca60:8056',
    '64:ff9b::1:0:ca60:8056',
    // Local-use: a set u-octet is not RFC 6052, and a set suffix means a longer prefix than /48
    // (64:ff9b:1::/96 here), whose layout we cannot know.
    '64:ff9b:1:ca60:180:5600::',
    '64:ff9b:1::ca60:8056',
    '64:ff9b:1:ca60:80:5601::',
    // Elsewhere in 64:ff9b::/32, neither NAT64 prefix.
    '64:ff9b:2:ca60:80:5600::',
    // Neighbours of the prefixes.
    '2003:ca60:8056::',
    '2001:1::ca60:8056',
    '2001:db8::ca60:8056',
    '2400:9380:8000::1',
    '::1',
    '::',
    // IPv4 and IPv4-mapped (the parser turns the latter into IPv4): nothing embedded.
    '202.96.128.86',
    '::ffff:202.96.128.86',
  ])('%s carries no IPv4 address', (text) => {
    expect(embeddedIpv4(address(text))).toBeNull();
  });

  it('leaves IPv4-mapped addresses to the parser, which makes them IPv4 as before', () => {
    expect(address('::ffff:202.96.128.86')).toEqual({ family: 4, value: 0xca608056 });
  });

  it('judges the Teredo client, not the server, and can still tell the server', () => {
    const rfcExample = address('2001:0:4136:e378:8000:63bf:3fff:fdd2');
    expect(formatIpv4(embeddedIpv4(rfcExample)!.ipv4)).toBe('192.0.2.45');
    expect(formatIpv4(teredoServer(rfcExample)!)).toBe('65.54.227.120');
    expect(teredoServer(address('2002:ca60:8056::'))).toBeNull();
  });

  it('names each form for people', () => {
    expect(describeEmbeddedKind('nat64')).toBe('NAT64');
    expect(describeEmbeddedKind('nat64-local')).toBe('NAT64, local-use prefix');
    expect(describeEmbeddedKind('6to4')).toBe('6to4');
    expect(describeEmbeddedKind('teredo')).toBe('Teredo client');
  });
});
