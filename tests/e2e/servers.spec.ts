/**
 * The e2e test servers alone, without a browser: unbound's DoH answers and query log, and the stub
 * resolvers, behave as the product specs assume.
 */
import { DEFAULT_RECORDS, expect, test } from './fixtures';
import { encodeQuery, parseResponse } from './support/dns-wire';
import { expandV6, expectedAddresses } from './support/expected-answers';

test.describe('unbound DoH server', () => {
  test('answers A, AAAA, CNAME chains, NXDOMAIN and SERVFAIL and logs each query', async ({
    doh,
  }) => {
    expect(doh.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/dns-query$/);
    expect(Buffer.from(doh.spkiHash, 'base64')).toHaveLength(32);
    await doh.clearQueries();

    const a = await doh.ask('mobile.test', 'A');
    expect(a.httpStatus).toBe(200);
    expect(a.contentType).toBe('application/dns-message');
    expect(a.rcode).toBe('NOERROR');
    expect(a.answers.map((r) => r.data)).toEqual(
      expectedAddresses(DEFAULT_RECORDS, 'mobile.test', 'A'),
    );

    const aaaa = await doh.ask('MOBILE.test', 'AAAA');
    expect(aaaa.answers.map((r) => r.data)).toEqual(
      expectedAddresses(DEFAULT_RECORDS, 'mobile.test', 'AAAA').map(expandV6),
    );

    const chain = await doh.ask('alias.test', 'A');
    expect(chain.rcode).toBe('NOERROR');
    expect(chain.answers.map((r) => r.type)).toEqual(['CNAME', 'CNAME', 'A']);
    expect(chain.answers.at(-1)?.data).toBe(
      expectedAddresses(DEFAULT_RECORDS, 'alias.test', 'A')[0],
    );

    const noData = await doh.ask('v6only.test', 'A');
    expect([noData.rcode, noData.answers.length]).toEqual(['NOERROR', 0]);

    expect((await doh.ask('missing.test', 'A')).rcode).toBe('NXDOMAIN');
    expect((await doh.ask('example.com', 'AAAA')).rcode).toBe('NXDOMAIN');

    const started = Date.now();
    expect((await doh.ask('deep.down.fail.test', 'A')).rcode).toBe('SERVFAIL');
    expect(Date.now() - started).toBeLessThan(1500);

    expect(await doh.queries()).toEqual([
      { name: 'mobile.test', type: 'A', rcode: 'NOERROR' },
      { name: 'mobile.test', type: 'AAAA', rcode: 'NOERROR' },
      { name: 'alias.test', type: 'A', rcode: 'NOERROR' },
      { name: 'v6only.test', type: 'A', rcode: 'NOERROR' },
      { name: 'missing.test', type: 'A', rcode: 'NXDOMAIN' },
      { name: 'example.com', type: 'AAAA', rcode: 'NXDOMAIN' },
      { name: 'deep.down.fail.test', type: 'A', rcode: 'SERVFAIL' },
    ]);
    await doh.clearQueries();
    expect(await doh.queries()).toEqual([]);
  });

  test('setRecords changes the answers at once', async ({ doh }) => {
    try {
      await doh.setRecords([{ name: 'moved.test', type: 'A', value: '198.51.100.7', ttl: 5 }]);
      const moved = await doh.ask('moved.test', 'A');
      expect(moved.answers).toEqual([
        { name: 'moved.test', type: 'A', ttl: 5, data: '198.51.100.7' },
      ]);
      expect((await doh.ask('mobile.test', 'A')).rcode).toBe('NXDOMAIN');
      await expect(
        doh.setRecords([{ name: 'bad.test', type: 'A', value: '2001:db8::1' }]),
      ).rejects.toThrow(/not IPv4/);
    } finally {
      await doh.setRecords(DEFAULT_RECORDS);
    }
    expect((await doh.ask('mobile.test', 'A')).rcode).toBe('NOERROR');
  });
});

test.describe('stub resolvers', () => {
  test('garbage answers 200 application/dns-message that is not DNS', async ({ stubs }) => {
    stubs.garbage.clearRequests();
    const reply = await fetch(stubs.garbage.url, {
      method: 'POST',
      headers: { 'content-type': 'application/dns-message' },
      body: new Uint8Array(encodeQuery('site.test', 'A')),
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/dns-message');
    const body = Buffer.from(await reply.arrayBuffer());
    expect(() => parseResponse(body)).toThrow();
    expect(stubs.garbage.requests()).toEqual([{ method: 'POST', path: '/dns-query' }]);
  });

  test('hang accepts the request and never answers', async ({ stubs }) => {
    stubs.hang.clearRequests();
    const started = Date.now();
    await expect(
      fetch(`${stubs.hang.url}?dns=AAAB`, { signal: AbortSignal.timeout(500) }),
    ).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(stubs.hang.requests()).toEqual([{ method: 'GET', path: '/dns-query?dns=AAAB' }]);
  });

  test('http-error answers 503', async ({ stubs }) => {
    const reply = await fetch(stubs.httpError.url);
    expect(reply.status).toBe(503);
  });
});
