import { describe, expect, it } from 'vitest';
import { extractAnswer, MAX_CNAME_HOPS, type AnswerOutcome } from '../../../lib/dns/answer';
import { parseResponse, type AddressType } from '../../../lib/dns/message';
import { buildResponse, rr, T, type RecordSpec } from './wire-builder';

function outcome(
  name: string,
  type: AddressType,
  spec: { rcode?: number; answers?: RecordSpec[]; authority?: RecordSpec[] },
  defaultNegativeTtl?: number,
): AnswerOutcome {
  const code = type === 'A' ? T.A : T.AAAA;
  const parsed = parseResponse(buildResponse({ question: { name, type: code }, ...spec }), {
    name,
    type: code,
    class: 1,
  });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return extractAnswer(parsed.response, name, type, defaultNegativeTtl);
}

describe('extractAnswer', () => {
  it('collects A records of the name with the smallest TTL, deduplicated', () => {
    const result = outcome('example.com', 'A', {
      answers: [
        rr.a('example.com', '192.0.2.1', 300),
        rr.a('example.com', '192.0.2.2', 120),
        rr.a('example.com', '192.0.2.1', 300),
        rr.a('other.com', '198.51.100.1', 5),
        rr.aaaa('example.com', '2001:db8::1', 1),
      ],
    });
    expect(result).toMatchObject({ kind: 'addresses', ttl: 120, cnameChain: [] });
    if (result.kind !== 'addresses') return;
    expect(result.addresses.map((a) => [a.address, a.ttl])).toEqual([
      ['192.0.2.1', 300],
      ['192.0.2.2', 120],
    ]);
  });

  it('follows a mixed-case CNAME chain with trailing dots and takes the minimum TTL', () => {
    const result = outcome('www.example.com', 'AAAA', {
      answers: [
        rr.cname('WWW.Example.COM', 'Shop.Example.NET.', 600),
        rr.cname('shop.example.net.', 'edge.cdn.test', 45),
        rr.aaaa('EDGE.cdn.test', '2001:db8::5', 900),
        rr.aaaa('www.example.com', '2001:db8::bad', 900), // not at the chain's end
      ],
    });
    expect(result).toMatchObject({
      kind: 'addresses',
      ttl: 45,
      cnameChain: ['shop.example.net', 'edge.cdn.test'],
    });
    if (result.kind === 'addresses') {
      expect(result.addresses).toHaveLength(1);
      expect(result.addresses[0]).toMatchObject({ address: '2001:db8::5', ttl: 45, type: 'AAAA' });
    }
  });

  it('reports a CNAME loop and a chain longer than the cap', () => {
    const loop = outcome('a.com', 'A', {
      answers: [
        rr.cname('a.com', 'b.com'),
        rr.cname('b.com', 'A.com.'),
        rr.a('a.com', '192.0.2.1'),
      ],
    });
    expect(loop).toMatchObject({ kind: 'bad-chain' });
    if (loop.kind === 'bad-chain') expect(loop.message).toMatch(/loops back to "a.com"/);

    const chain = (hops: number): RecordSpec[] => [
      ...Array.from({ length: hops }, (_, i) =>
        rr.cname(i === 0 ? 'start.com' : `h${i}.com`, `h${i + 1}.com`),
      ),
      rr.a(`h${hops}.com`, '192.0.2.9'),
    ];
    expect(outcome('start.com', 'A', { answers: chain(MAX_CNAME_HOPS) }).kind).toBe('addresses');
    const tooLong = outcome('start.com', 'A', { answers: chain(MAX_CNAME_HOPS + 1) });
    expect(tooLong).toMatchObject({ kind: 'bad-chain' });
  });

  it('refuses two different CNAMEs for one name', () => {
    const result = outcome('a.com', 'A', {
      answers: [rr.cname('a.com', 'b.com'), rr.cname('a.com', 'c.com'), rr.a('b.com', '192.0.2.1')],
    });
    expect(result.kind).toBe('bad-chain');
  });

  it('NODATA: no records, or a chain ending without addresses; TTL from the SOA', () => {
    expect(outcome('a.com', 'AAAA', { authority: [rr.soa('a.com', 900, 120)] })).toEqual({
      kind: 'nodata',
      ttl: 120,
      cnameChain: [],
    });
    expect(outcome('a.com', 'AAAA', { authority: [rr.soa('a.com', 90, 3600)] })).toMatchObject({
      ttl: 90,
    });
    expect(
      outcome(
        'a.com',
        'A',
        {
          answers: [rr.cname('a.com', 'b.net'), rr.aaaa('b.net', '2001:db8::1')],
        },
        77,
      ),
    ).toEqual({
      kind: 'nodata',
      ttl: 77,
      cnameChain: ['b.net'],
      unresolved: { target: 'b.net', chainTtl: 300 },
    });
    // with the target zone's SOA the resolver did chase the chain: plain NODATA
    expect(
      outcome('a.com', 'A', {
        answers: [rr.cname('a.com', 'b.net', 30)],
        authority: [rr.soa('b.net', 50, 50)],
      }),
    ).toEqual({ kind: 'nodata', ttl: 50, cnameChain: ['b.net'] });
  });

  it('NXDOMAIN with and without SOA', () => {
    expect(outcome('gone.com', 'A', { rcode: 3, authority: [rr.soa('com', 900, 86400)] })).toEqual({
      kind: 'nxdomain',
      ttl: 900,
      cnameChain: [],
    });
    expect(outcome('gone.com', 'A', { rcode: 3 }, 42)).toEqual({
      kind: 'nxdomain',
      ttl: 42,
      cnameChain: [],
    });
  });

  it('SERVFAIL, REFUSED and other RCODEs', () => {
    expect(outcome('a.com', 'A', { rcode: 2 })).toEqual({ kind: 'servfail' });
    expect(outcome('a.com', 'A', { rcode: 5 })).toEqual({ kind: 'refused' });
    expect(outcome('a.com', 'A', { rcode: 4 })).toMatchObject({ kind: 'rcode', rcode: 4 });
  });
});
