import { describe, expect, it, vi } from 'vitest';
import { createMemoryDnsCache, type DnsCache } from '../../../lib/dns/cache';
import {
  base64UrlEncode,
  buildQueryUrl,
  createDohClient,
  type DohClientOptions,
} from '../../../lib/dns/doh-client';
import { buildResponse, decodeDnsParam, rr, T, type ResponseSpec } from './wire-builder';

const RESOLVER = 'https://doh.example/dns-query';
type Family = 'A' | 'AAAA';
type Reply = ResponseSpec | Response | 'hang' | Error;

/** A fake fetch answering each family from `replies`; the question is echoed automatically. */
function fakeFetch(replies: Partial<Record<Family, Reply | ((name: string) => Reply)>>) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fn = vi.fn((input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    calls.push({ url, init });
    const query = decodeDnsParam(url);
    const family: Family = query.type === T.A ? 'A' : 'AAAA';
    const entry = replies[family];
    const reply = typeof entry === 'function' ? entry(query.name) : entry;
    if (reply === undefined) return Promise.reject(new Error(`unexpected ${family} query`));
    if (reply === 'hang') return new Promise<Response>(() => {}); // ignores the signal on purpose
    if (reply instanceof Error) return Promise.reject(reply);
    if (reply instanceof Response) return Promise.resolve(reply);
    const body = buildResponse({ question: { name: query.name, type: query.type }, ...reply });
    return Promise.resolve(
      new Response(body, { status: 200, headers: { 'content-type': 'application/dns-message' } }),
    );
  });
  return { fetch: fn as unknown as typeof fetch, calls, spy: fn };
}

function client(fetchFn: typeof fetch, extra: Partial<DohClientOptions> = {}) {
  return createDohClient({ fetch: fetchFn, resolverUrl: RESOLVER, ...extra });
}

describe('base64url and the query URL', () => {
  it('matches Node base64url (no padding, - and _)', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + 251) & 0xff);
      const ours = base64UrlEncode(bytes);
      expect(ours).toBe(Buffer.from(bytes).toString('base64url'));
      expect(ours).not.toMatch(/[=+/]/);
    }
    expect(base64UrlEncode(Uint8Array.from([0xfb, 0xff, 0xfe]))).toBe('-__-');
  });

  it('keeps the resolver path and query and appends dns=', () => {
    const q = Uint8Array.from([1, 2, 3]);
    expect(buildQueryUrl('https://dns.nextdns.io/abc123', q)).toBe(
      'https://dns.nextdns.io/abc123?dns=AQID',
    );
    expect(buildQueryUrl('https://d.example/q?x=a%20b', q)).toBe(
      'https://d.example/q?x=a%20b&dns=AQID',
    );
  });
});

describe('createDohClient: answers', () => {
  it('queries A and AAAA in parallel with a padded GET and returns both', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const fake = fakeFetch({
      A: { answers: [rr.a('example.com', '192.0.2.1', 300)] },
      AAAA: { answers: [rr.aaaa('example.com', '2001:db8::1', 200)] },
    });
    const tracking = ((input: RequestInfo | URL, init?: RequestInit) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<Response>((resolve) => setTimeout(resolve, 5)).then(() => {
        inFlight--;
        return fake.fetch(input, init);
      });
    }) as typeof fetch;
    const result = await client(tracking).resolve('Example.COM.');
    expect(result).toEqual({
      ok: true,
      hostname: 'Example.COM.',
      addresses: [
        { ip: '192.0.2.1', type: 'A', ttl: 300 },
        { ip: '2001:db8::1', type: 'AAAA', ttl: 200 },
      ],
      cnameChain: [],
      fromCache: false,
    });
    expect(maxInFlight).toBe(2);
    for (const { url, init } of fake.calls) {
      expect(url.startsWith(`${RESOLVER}?dns=`)).toBe(true);
      const param = new URL(url).searchParams.get('dns') ?? '';
      expect(param).not.toMatch(/[=+/]/);
      const { bytes, name } = decodeDnsParam(url);
      expect(name).toBe('example.com');
      expect(bytes.length % 128).toBe(0);
      expect(init?.method).toBe('GET');
      expect(new Headers(init?.headers).get('accept')).toBe('application/dns-message');
      expect(init?.credentials).toBe('omit');
      expect(init?.referrerPolicy).toBe('no-referrer');
      expect(init?.signal).toBeInstanceOf(AbortSignal);
    }
  });

  it('returns the CNAME chain and addresses of its target', async () => {
    const fake = fakeFetch({
      A: {
        answers: [
          rr.cname('www.shop.com', 'Shop.CDN.net.', 100),
          rr.a('shop.cdn.net', '192.0.2.8', 900),
        ],
      },
      AAAA: { answers: [rr.cname('www.shop.com', 'shop.cdn.net', 100)] },
    });
    const result = await client(fake.fetch).resolve('www.shop.com');
    expect(result).toMatchObject({
      ok: true,
      addresses: [{ ip: '192.0.2.8', type: 'A', ttl: 100 }],
      cnameChain: ['shop.cdn.net'],
    });
  });

  it('asks again for a CNAME target the resolver did not chase (no SOA), and only then', async () => {
    const byName = (name: string): Reply => {
      if (name === 'www.x.com') return { answers: [rr.cname('www.x.com', 'mid.x.net', 40)] };
      if (name === 'mid.x.net') return { answers: [rr.cname('mid.x.net', 'site.x.org', 500)] };
      return { answers: [rr.a('site.x.org', '192.0.2.44', 300)], authority: [] };
    };
    const fake = fakeFetch({ A: byName, AAAA: { authority: [rr.soa('x.com', 60, 60)] } });
    const result = await client(fake.fetch).resolve('www.x.com');
    expect(result).toMatchObject({
      ok: true,
      addresses: [{ ip: '192.0.2.44', type: 'A', ttl: 40 }],
      cnameChain: ['mid.x.net', 'site.x.org'],
    });
    expect(fake.calls.map((c) => decodeDnsParam(c.url).name).sort()).toEqual([
      'mid.x.net',
      'site.x.org',
      'www.x.com',
      'www.x.com',
    ]);
  });

  it('reports a CNAME loop spread over follow-up queries as malformed', async () => {
    const byName = (name: string): Reply =>
      name === 'a.com'
        ? { answers: [rr.cname('a.com', 'b.com')] }
        : { answers: [rr.cname('b.com', 'a.com')] };
    const result = await client(fakeFetch({ A: byName, AAAA: byName }).fetch).resolve('a.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    if (!result.ok) expect(result.error.message).toMatch(/loops/);
  });

  it('NXDOMAIN on both is nxdomain; NODATA on both is nodata', async () => {
    const nx = await client(fakeFetch({ A: { rcode: 3 }, AAAA: { rcode: 3 } }).fetch).resolve(
      'gone.com',
    );
    expect(nx).toMatchObject({ ok: false, error: { kind: 'nxdomain' } });
    if (!nx.ok) expect(nx.error.message).toMatch(/doh\.example.*gone\.com/);
    const nodata = await client(fakeFetch({ A: {}, AAAA: {} }).fetch).resolve('empty.com');
    expect(nodata).toMatchObject({ ok: false, error: { kind: 'nodata' } });
  });

  it('SERVFAIL and REFUSED on both are reported as such', async () => {
    const sf = await client(fakeFetch({ A: { rcode: 2 }, AAAA: { rcode: 2 } }).fetch).resolve(
      'a.com',
    );
    expect(sf).toMatchObject({ ok: false, error: { kind: 'servfail' } });
    const rf = await client(
      fakeFetch({ A: { rcode: 5 }, AAAA: { rcode: 5, question: null } }).fetch,
    ).resolve('a.com');
    expect(rf).toMatchObject({ ok: false, error: { kind: 'refused' } });
    if (!rf.ok) expect(rf.error.message).toMatch(/doh\.example/);
  });

  it('keeps the addresses of one family when the other fails', async () => {
    const result = await client(
      fakeFetch({ A: { answers: [rr.a('a.com', '192.0.2.1')] }, AAAA: { rcode: 2 } }).fetch,
    ).resolve('a.com');
    expect(result).toMatchObject({ ok: true, addresses: [{ ip: '192.0.2.1' }] });
    const timedOut = await client(
      fakeFetch({ A: 'hang', AAAA: { answers: [rr.aaaa('a.com', '2001:db8::2')] } }).fetch,
      { timeoutMs: 20 },
    ).resolve('a.com');
    expect(timedOut).toMatchObject({ ok: true, addresses: [{ ip: '2001:db8::2', type: 'AAAA' }] });
  });

  it('picks the more meaningful error when neither family has addresses', async () => {
    const r1 = await client(fakeFetch({ A: { rcode: 3 }, AAAA: { rcode: 2 } }).fetch).resolve(
      'a.com',
    );
    expect(r1).toMatchObject({ ok: false, error: { kind: 'servfail' } });
    const r2 = await client(
      fakeFetch({ A: new TypeError('Failed to fetch'), AAAA: new Response('no', { status: 503 }) })
        .fetch,
    ).resolve('a.com');
    expect(r2).toMatchObject({ ok: false, error: { kind: 'http-status' } });
  });
});

describe('createDohClient: transport and protocol errors', () => {
  const both = (reply: () => Reply) => fakeFetch({ A: reply, AAAA: reply });

  it('non-2xx status', async () => {
    const result = await client(both(() => new Response('', { status: 415 })).fetch).resolve(
      'a.com',
    );
    expect(result).toMatchObject({ ok: false, error: { kind: 'http-status' } });
    if (!result.ok) expect(result.error.message).toMatch(/doh\.example.*HTTP 415/);
  });

  it('wrong content type', async () => {
    const json = () =>
      new Response('{"Status":0}', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    const result = await client(both(json).fetch).resolve('a.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'content-type' } });
    if (!result.ok) expect(result.error.message).toMatch(/application\/json/);
    const withParams = () =>
      new Response(buildResponse({ question: { name: 'a.com', type: T.A } }), {
        headers: { 'content-type': 'Application/DNS-Message; charset=binary' },
      });
    const ok = await client(fakeFetch({ A: withParams, AAAA: {} }).fetch).resolve('a.com');
    expect(ok).toMatchObject({ ok: false, error: { kind: 'nodata' } });
  });

  it('network failure', async () => {
    const result = await client(both(() => new TypeError('fetch failed')).fetch).resolve('a.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'network' } });
    if (!result.ok) expect(result.error.message).toMatch(/doh\.example.*fetch failed/);
  });

  it('a malformed, mismatched or truncated answer', async () => {
    for (const spec of [
      { id: 7 },
      { qr: false },
      { tc: true },
      { trailing: [1, 2] },
    ] as ResponseSpec[]) {
      const result = await client(both(() => spec).fetch).resolve('a.com');
      expect(result, JSON.stringify(spec)).toMatchObject({
        ok: false,
        error: { kind: 'malformed' },
      });
    }
    const wrongQuestion = () =>
      new Response(buildResponse({ question: { name: 'b.com', type: T.A } }), {
        headers: { 'content-type': 'application/dns-message' },
      });
    const result = await client(both(wrongQuestion).fetch).resolve('a.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    if (!result.ok) expect(result.error.message).toMatch(/b\.com/);
  });

  it('times out a fetch that never settles', async () => {
    const started = Date.now();
    const result = await client(both(() => 'hang').fetch, { timeoutMs: 30 }).resolve('a.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    if (!result.ok) expect(result.error.message).toMatch(/doh\.example.*30 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('aborts when the caller aborts, before or during the lookup', async () => {
    const fake = both(() => 'hang');
    const pre = new AbortController();
    pre.abort();
    expect(await client(fake.fetch).resolve('a.com', { signal: pre.signal })).toMatchObject({
      ok: false,
      error: { kind: 'aborted' },
    });
    expect(fake.spy).not.toHaveBeenCalled();
    const during = new AbortController();
    const pending = client(fake.fetch, { timeoutMs: 10_000 }).resolve('a.com', {
      signal: during.signal,
    });
    setTimeout(() => during.abort(), 10);
    expect(await pending).toMatchObject({ ok: false, error: { kind: 'aborted' } });
  });

  it('passes its abort signal to fetch, fired on timeout', async () => {
    const fake = both(() => 'hang');
    await client(fake.fetch, { timeoutMs: 10 }).resolve('a.com');
    expect(fake.calls.every((c) => c.init?.signal?.aborted)).toBe(true);
  });
});

describe('createDohClient: names and resolver checked before any fetch', () => {
  it('refused names never reach fetch', async () => {
    const fake = fakeFetch({ A: {}, AAAA: {} });
    for (const name of [
      'localhost',
      '192.0.2.1',
      '[::1]',
      'printer.local',
      'intranet',
      'bad name.com',
    ]) {
      const result = await client(fake.fetch).resolve(name);
      expect(result, name).toMatchObject({
        ok: false,
        hostname: name,
        error: { kind: 'blocked-name' },
      });
    }
    expect(fake.spy).not.toHaveBeenCalled();
  });

  it('an invalid resolver is a typed error, not a throw', async () => {
    const fake = fakeFetch({ A: {}, AAAA: {} });
    const c = createDohClient({ fetch: fake.fetch, resolverUrl: 'http://dns.google/dns-query' });
    const result = await c.resolve('example.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-resolver' } });
    if (!result.ok) expect(result.error.message).toMatch(/dns\.google.*https/);
    expect(fake.spy).not.toHaveBeenCalled();
  });
});

describe('createDohClient: cache', () => {
  function setup(replies: Parameters<typeof fakeFetch>[0], extra: Partial<DohClientOptions> = {}) {
    let clock = 1_000_000;
    const fake = fakeFetch(replies);
    const cache = createMemoryDnsCache();
    const c = client(fake.fetch, { cache, now: () => clock, ...extra });
    return { c, fake, cache, advance: (seconds: number) => (clock += seconds * 1000) };
  }

  it('serves positive answers until the smallest TTL passes, counting TTLs down', async () => {
    const { c, fake, advance } = setup({
      A: { answers: [rr.a('a.com', '192.0.2.1', 120)] },
      AAAA: { answers: [rr.aaaa('a.com', '2001:db8::1', 100)] },
    });
    expect(await c.resolve('a.com')).toMatchObject({ ok: true, fromCache: false });
    advance(40);
    const hit = await c.resolve('A.com.');
    expect(hit).toMatchObject({ ok: true, fromCache: true, addresses: [{ ttl: 80 }, { ttl: 60 }] });
    expect(fake.spy).toHaveBeenCalledTimes(2);
    advance(61);
    expect(await c.resolve('a.com')).toMatchObject({ ok: true, fromCache: false });
    expect(fake.spy).toHaveBeenCalledTimes(4);
  });

  it('clamps TTLs to [min, max]', async () => {
    const low = setup({ A: { answers: [rr.a('a.com', '192.0.2.1', 1)] }, AAAA: {} });
    await low.c.resolve('a.com');
    low.advance(29);
    expect(await low.c.resolve('a.com')).toMatchObject({ fromCache: true });
    low.advance(2);
    expect(await low.c.resolve('a.com')).toMatchObject({ fromCache: false });

    const high = setup(
      { A: { answers: [rr.a('a.com', '192.0.2.1', 86400)] }, AAAA: {} },
      { maxTtlSeconds: 600 },
    );
    await high.c.resolve('a.com');
    high.advance(599);
    expect(await high.c.resolve('a.com')).toMatchObject({ fromCache: true });
    high.advance(2);
    expect(await high.c.resolve('a.com')).toMatchObject({ fromCache: false });
  });

  it('caches negative answers for min(SOA negative TTL, cap)', async () => {
    const soa = { rcode: 3, authority: [rr.soa('com', 900, 20)] };
    const { c, fake, advance } = setup({ A: soa, AAAA: soa });
    expect(await c.resolve('gone.com')).toMatchObject({ error: { kind: 'nxdomain' } });
    advance(19);
    expect(await c.resolve('gone.com')).toMatchObject({ error: { kind: 'nxdomain' } });
    expect(fake.spy).toHaveBeenCalledTimes(2);
    advance(2);
    await c.resolve('gone.com');
    expect(fake.spy).toHaveBeenCalledTimes(4);

    const capped = setup({ A: { authority: [rr.soa('a.com', 3600, 3600)] }, AAAA: {} });
    await capped.c.resolve('a.com');
    capped.advance(59);
    await capped.c.resolve('a.com');
    expect(capped.fake.spy).toHaveBeenCalledTimes(2);
    capped.advance(2);
    await capped.c.resolve('a.com');
    expect(capped.fake.spy).toHaveBeenCalledTimes(4);
  });

  it('does not cache SERVFAIL, timeouts or network errors', async () => {
    for (const reply of [{ rcode: 2 }, 'hang', new TypeError('down')] as Reply[]) {
      const { c, fake } = setup({ A: reply, AAAA: reply }, { timeoutMs: 10 });
      await c.resolve('a.com');
      await c.resolve('a.com');
      expect(fake.spy).toHaveBeenCalledTimes(4);
    }
  });

  it('caches a half answer only for the minimum TTL', async () => {
    const { c, fake, advance } = setup({
      A: { answers: [rr.a('a.com', '192.0.2.1', 3000)] },
      AAAA: { rcode: 2 },
    });
    await c.resolve('a.com');
    advance(29);
    expect(await c.resolve('a.com')).toMatchObject({ fromCache: true });
    advance(2);
    expect(await c.resolve('a.com')).toMatchObject({ fromCache: false });
    expect(fake.spy).toHaveBeenCalledTimes(4);
  });

  it('keys entries by resolver and ignores broken or foreign entries', async () => {
    const cache = createMemoryDnsCache();
    const fake = fakeFetch({ A: { answers: [rr.a('a.com', '192.0.2.1')] }, AAAA: {} });
    await createDohClient({ fetch: fake.fetch, resolverUrl: RESOLVER, cache }).resolve('a.com');
    const other = createDohClient({
      fetch: fake.fetch,
      resolverUrl: 'https://other.example/q',
      cache,
    });
    expect(await other.resolve('a.com')).toMatchObject({ fromCache: false });

    const garbage: DnsCache = {
      get: () =>
        Promise.resolve({
          version: 1,
          expiresAt: Infinity,
          storedAt: 0,
          result: { ok: true },
        } as never),
      set: () => Promise.reject(new Error('quota')),
    };
    const c = createDohClient({ fetch: fake.fetch, resolverUrl: RESOLVER, cache: garbage });
    expect(await c.resolve('a.com')).toMatchObject({ ok: true, fromCache: false });
    const throwing: DnsCache = {
      get: () => Promise.reject(new Error('gone')),
      set: () => Promise.resolve(),
    };
    const d = createDohClient({ fetch: fake.fetch, resolverUrl: RESOLVER, cache: throwing });
    expect(await d.resolve('a.com')).toMatchObject({ ok: true, fromCache: false });
  });
});
