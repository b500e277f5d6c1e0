import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryDnsCache, type DnsCache } from '../../../lib/dns/cache';
import {
  base64UrlEncode,
  buildQueryUrl,
  createDohClient,
  MAX_MESSAGE_BYTES,
  type DohClientOptions,
} from '../../../lib/dns/doh-client';
import { startDohServer } from '../cli/doh-server';
import { buildResponse, decodeDnsParam, rr, T, type ResponseSpec } from './wire-builder';

const RESOLVER = 'https://doh.example/dns-query';
type Family = 'A' | 'AAAA';
type Reply = ResponseSpec | Response | 'hang' | Error;

/**
 * A fake fetch answering each family from `replies`; the question is echoed automatically. A
 * function reply also gets the attempt number (0 for the first request of that family, 1 next…).
 */
function fakeFetch(
  replies: Partial<Record<Family, Reply | ((name: string, attempt: number) => Reply)>>,
) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const attempts: Record<Family, number> = { A: 0, AAAA: 0 };
  const fn = vi.fn((input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    calls.push({ url, init });
    const query = decodeDnsParam(url);
    const family: Family = query.type === T.A ? 'A' : 'AAAA';
    const entry = replies[family];
    const reply = typeof entry === 'function' ? entry(query.name, attempts[family]++) : entry;
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
      retried: false,
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
      expect(init?.redirect).toBe('manual');
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

/** A DoH answer for the question in `url`, as a 200 application/dns-message Response. */
function answerFor(url: string, spec: ResponseSpec = {}): Response {
  const query = decodeDnsParam(url);
  return new Response(
    buildResponse({ question: { name: query.name, type: query.type }, ...spec }),
    {
      headers: { 'content-type': 'application/dns-message' },
    },
  );
}

/** Resolves with 'still running' if `work` has not settled after `ms`: a bound, not a wait. */
async function within<T>(ms: number, work: Promise<T>): Promise<T | 'still running'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<'still running'>((r) => (timer = setTimeout(r, ms, 'still running')));
  try {
    return await Promise.race([work, bound]);
  } finally {
    clearTimeout(timer);
  }
}

describe('createDohClient: redirects are refused', () => {
  /**
   * What a browser hands back for `redirect: 'manual'`: an opaque-redirect filtered response
   * (type 'opaqueredirect', status 0, no headers, no body). The constructor cannot make one.
   */
  const opaqueRedirect = () =>
    Object.defineProperties(new Response(null), {
      type: { value: 'opaqueredirect' },
      status: { value: 0 },
      ok: { value: false },
    });

  it('refuses each shape fetch gives a redirect in, says so in words, and does not retry', async () => {
    const shapes: [string, () => Reply][] = [
      [
        'Node: the 3xx itself',
        () =>
          new Response(null, {
            status: 301,
            headers: { location: 'https://elsewhere.example/dns-query' },
          }),
      ],
      ['browser: opaqueredirect, status 0', opaqueRedirect],
    ];
    for (const [label, reply] of shapes) {
      const fake = fakeFetch({ A: reply, AAAA: reply });
      const result = await client(fake.fetch).resolve('a.com');
      expect(result, label).toMatchObject({ ok: false, error: { kind: 'redirect' } });
      if (!result.ok) {
        expect(result.error.message).toMatch(/doh\.example: .*answered with a redirect/);
        expect(result.error.message).toMatch(/Redirects are refused/);
      }
      expect(fake.spy, label).toHaveBeenCalledTimes(2);
      expect(fake.calls.every((c) => c.init?.redirect === 'manual')).toBe(true);
    }
    const node = await client(fakeFetch({ A: shapes[0]![1], AAAA: {} }).fetch).resolve('a.com');
    if (!node.ok) expect(node.error.message).toMatch(/HTTP 301 to https:\/\/elsewhere\.example/);
  });

  it('refuses an answer that a fetch ignoring redirect: manual followed anyway', async () => {
    const redirected = ((input: RequestInfo | URL) => {
      const response = answerFor(String(input), { answers: [rr.a('a.com', '192.0.2.1')] });
      Object.defineProperty(response, 'redirected', { value: true });
      return Promise.resolve(response);
    }) as typeof fetch;
    const result = await client(redirected).resolve('a.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'redirect' } });
  });

  it('with Node fetch (the CLI), never sends the query to the redirect target', async () => {
    const target = await startDohServer({ 'a.com': { a: ['192.0.2.1'] } });
    const redirector = createServer((req, res) => {
      res.writeHead(302, { location: `${target.url}${(req.url ?? '').replace(/^[^?]*/, '')}` });
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    try {
      const { port } = redirector.address() as AddressInfo;
      const result = await createDohClient({
        fetch: globalThis.fetch,
        resolverUrl: `http://127.0.0.1:${port}/dns-query`,
      }).resolve('a.com');
      expect(result).toMatchObject({ ok: false, error: { kind: 'redirect' } });
      if (!result.ok) expect(result.error.message).toMatch(/HTTP 302 to http:\/\/127\.0\.0\.1/);
      expect(target.queries).toEqual([]);
    } finally {
      await new Promise((r) => redirector.close(r));
      await target.close();
    }
  });
});

describe('createDohClient: answers longer than a DNS message are refused unread', () => {
  const CHUNK = 16 * 1024;
  const HUNDRED_MB = 100 * 1024 * 1024;

  /** A 100 MB body produced lazily, chunk by chunk, recording what was pulled and the cancel. */
  function hugeBody() {
    const seen = { pulledBytes: 0, cancelled: false };
    const chunk = new Uint8Array(CHUNK); // one buffer, re-sent: nothing near 100 MB is allocated
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (seen.pulledBytes >= HUNDRED_MB) return controller.close();
        seen.pulledBytes += CHUNK;
        controller.enqueue(chunk);
      },
      cancel() {
        seen.cancelled = true;
      },
    });
    return { stream, seen };
  }

  it('cancels a 100 MB streamed body soon after the first 65,535 bytes', async () => {
    const bodies: ReturnType<typeof hugeBody>[] = [];
    const reply = () => {
      const body = hugeBody();
      bodies.push(body);
      return new Response(body.stream, {
        headers: { 'content-type': 'application/dns-message' },
      });
    };
    const heapBefore = process.memoryUsage().arrayBuffers;
    const result = await client(fakeFetch({ A: reply, AAAA: reply }).fetch).resolve('a.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    if (!result.ok) expect(result.error.message).toMatch(/longer than a DNS message can be/);
    expect(bodies).toHaveLength(2); // refused, not retried
    for (const { seen } of bodies) {
      expect(seen.cancelled).toBe(true);
      expect(seen.pulledBytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES + 2 * CHUNK);
    }
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses from Content-Length before reading the body', async () => {
    const bodies: ReturnType<typeof hugeBody>[] = [];
    const reply = () => {
      const body = hugeBody();
      bodies.push(body);
      return new Response(body.stream, {
        headers: {
          'content-type': 'application/dns-message',
          'content-length': String(HUNDRED_MB),
        },
      });
    };
    const result = await client(fakeFetch({ A: reply, AAAA: reply }).fetch).resolve('a.com');
    expect(result).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    for (const { seen } of bodies) {
      expect(seen.cancelled).toBe(true);
      expect(seen.pulledBytes).toBeLessThanOrEqual(CHUNK); // at most what the stream pre-filled
    }
  });

  it('puts an answer that arrives in small pieces back together', async () => {
    const reply = (name: string) => {
      const bytes = buildResponse({
        question: { name, type: T.A },
        answers: [rr.a(name, '192.0.2.7')],
      });
      let offset = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(offset, offset + 5));
          offset += 5;
        },
      });
      return new Response(stream, { headers: { 'content-type': 'application/dns-message' } });
    };
    const result = await client(fakeFetch({ A: reply, AAAA: {} }).fetch).resolve('a.com');
    expect(result).toMatchObject({ ok: true, addresses: [{ ip: '192.0.2.7' }] });
  });
});

describe('createDohClient: the deadline covers the cache', () => {
  const answer = fakeFetch({ A: { answers: [rr.a('a.com', '192.0.2.1')] }, AAAA: {} });

  it('a cache read that never settles is a timeout within the deadline', async () => {
    const stuck: DnsCache = { get: () => new Promise(() => {}), set: () => Promise.resolve() };
    const c = client(answer.fetch, { cache: stuck, timeoutMs: 30 });
    const result = await within(2000, c.resolve('a.com'));
    expect(result).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    if (result !== 'still running' && !result.ok) {
      expect(result.error.message).toMatch(/doh\.example: the DNS cache did not answer.*30 ms/);
    }
  });

  it('a cache write that never settles still returns the answer within the deadline', async () => {
    const stuck: DnsCache = {
      get: () => Promise.resolve(undefined),
      set: () => new Promise(() => {}),
    };
    const c = client(answer.fetch, { cache: stuck, timeoutMs: 30 });
    expect(await within(2000, c.resolve('a.com'))).toMatchObject({ ok: true, fromCache: false });
  });

  it("the caller's abort during a stuck cache read reads as aborted", async () => {
    const stuck: DnsCache = { get: () => new Promise(() => {}), set: () => Promise.resolve() };
    const controller = new AbortController();
    const pending = client(answer.fetch, { cache: stuck, timeoutMs: 10_000 }).resolve('a.com', {
      signal: controller.signal,
    });
    controller.abort();
    expect(await within(2000, pending)).toMatchObject({ ok: false, error: { kind: 'aborted' } });
  });
});

describe('createDohClient: one second try for lost queries', () => {
  const quick = { retryPauseMs: 5, resendAfterMs: 10_000, timeoutMs: 2000 };

  it('asks again after a network error, after the pause, and says the answer was retried', async () => {
    const sentAt: number[] = [];
    const fake = fakeFetch({
      A: (name, attempt) => {
        sentAt.push(Date.now());
        return attempt === 0
          ? new TypeError('Failed to fetch')
          : { answers: [rr.a(name, '192.0.2.9')] };
      },
      AAAA: {},
    });
    const result = await client(fake.fetch, { ...quick, retryPauseMs: 40 }).resolve('a.com');
    expect(result).toMatchObject({ ok: true, addresses: [{ ip: '192.0.2.9' }], retried: true });
    expect(fake.spy).toHaveBeenCalledTimes(3); // A twice, AAAA once
    expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(35);
  });

  it('a first-try answer is not marked retried, nor is one from the cache', async () => {
    const cache = createMemoryDnsCache();
    const c = client(fakeFetch({ A: { answers: [rr.a('a.com', '192.0.2.1')] }, AAAA: {} }).fetch, {
      cache,
    });
    expect(await c.resolve('a.com')).toMatchObject({ ok: true, retried: false });
    expect(await c.resolve('a.com')).toMatchObject({ fromCache: true, retried: false });
  });

  it('sends a query with no answer again, keeps the first open, and cancels the loser', async () => {
    const fake = fakeFetch({
      A: (name, attempt) => (attempt === 0 ? 'hang' : { answers: [rr.a(name, '192.0.2.3')] }),
      AAAA: {},
    });
    const result = await client(fake.fetch, { ...quick, resendAfterMs: 20 }).resolve('a.com');
    expect(result).toMatchObject({ ok: true, addresses: [{ ip: '192.0.2.3' }], retried: true });
    const aCalls = fake.calls.filter((c) => decodeDnsParam(c.url).type === T.A);
    expect(aCalls).toHaveLength(2);
    expect(aCalls[0]!.init?.signal?.aborted).toBe(true);
  });

  it('a slow first answer still wins over a resend that hangs (not marked retried)', async () => {
    const signals: AbortSignal[] = [];
    let releaseFirst: () => void = () => {};
    let resendSent: () => void = () => {};
    const resent = new Promise<void>((r) => (resendSent = r));
    const fetchFn = ((input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      if (decodeDnsParam(url).type !== T.A) return Promise.resolve(answerFor(url));
      signals.push(init!.signal!);
      if (signals.length === 1) {
        const reply = answerFor(url, { answers: [rr.a('a.com', '192.0.2.5')] });
        return new Promise<Response>((r) => (releaseFirst = () => r(reply)));
      }
      resendSent();
      return new Promise<Response>(() => {});
    }) as typeof fetch;
    const pending = client(fetchFn, { ...quick, resendAfterMs: 10 }).resolve('a.com');
    expect(await within(2000, resent)).not.toBe('still running');
    releaseFirst();
    expect(await pending).toMatchObject({
      ok: true,
      addresses: [{ ip: '192.0.2.5' }],
      retried: false,
    });
    expect(signals.map((signal) => signal.aborted)).toEqual([false, true]);
  });

  it('says when the second try failed too', async () => {
    const down = fakeFetch({
      A: () => new TypeError('fetch failed'),
      AAAA: () => new TypeError('fetch failed'),
    });
    const network = await client(down.fetch, quick).resolve('a.com');
    expect(network).toMatchObject({ ok: false, error: { kind: 'network' } });
    if (!network.ok) expect(network.error.message).toMatch(/fetch failed.*; tried twice$/);
    expect(down.spy).toHaveBeenCalledTimes(4);

    const silent = fakeFetch({ A: () => 'hang', AAAA: () => 'hang' });
    const timedOut = await client(silent.fetch, { timeoutMs: 60, resendAfterMs: 10 }).resolve(
      'a.com',
    );
    expect(timedOut).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    if (!timedOut.ok) expect(timedOut.error.message).toMatch(/within 60 ms; asked twice$/);
    expect(silent.spy).toHaveBeenCalledTimes(4);
  });

  it('does not retry what the resolver answered: HTTP errors, garbage, NXDOMAIN, SERVFAIL', async () => {
    const replies: [string, () => Reply][] = [
      ['HTTP 503', () => new Response('busy', { status: 503 })],
      ['HTTP 400', () => new Response('bad', { status: 400 })],
      ['not DNS', () => new Response('{}', { headers: { 'content-type': 'application/json' } })],
      ['garbage', () => ({ id: 7 })],
      ['NXDOMAIN', () => ({ rcode: 3 })],
      ['SERVFAIL', () => ({ rcode: 2 })],
    ];
    for (const [label, reply] of replies) {
      const fake = fakeFetch({ A: reply, AAAA: reply });
      await client(fake.fetch, { ...quick, resendAfterMs: 1000 }).resolve('a.com');
      expect(fake.spy, label).toHaveBeenCalledTimes(2);
    }
  });

  it('the second try stays inside the deadline', async () => {
    const silent = fakeFetch({ A: () => 'hang', AAAA: () => 'hang' });
    const started = Date.now();
    await client(silent.fetch, { timeoutMs: 80, resendAfterMs: 40 }).resolve('a.com');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
