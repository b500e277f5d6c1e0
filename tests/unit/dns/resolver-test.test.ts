import { describe, expect, it, vi } from 'vitest';
import { RESOLVER_TEST_NAME, testResolver } from '../../../lib/dns/resolver-test';
import { buildResponse, decodeDnsParam, rr, T } from './wire-builder';

const RESOLVER = 'https://doh.example/dns-query';

/** A clock that moves 7 ms per reading, so the reported time is known. */
function steppingClock() {
  let t = 1000;
  return () => (t += 7);
}

function answering(make: (name: string, type: number) => Parameters<typeof buildResponse>[0]) {
  return vi.fn((input: RequestInfo | URL) => {
    const query = decodeDnsParam(String(input));
    const body = buildResponse({
      question: { name: query.name, type: query.type },
      ...make(query.name, query.type),
    });
    return Promise.resolve(
      new Response(body, { status: 200, headers: { 'content-type': 'application/dns-message' } }),
    );
  }) as unknown as typeof fetch;
}

describe('testResolver', () => {
  it('asks for the public test name and reports the addresses and the time', async () => {
    const fetchFn = answering((name, type) =>
      type === T.A ? { answers: [rr.a(name, '93.184.215.14')] } : { answers: [] },
    );
    const result = await testResolver({
      fetch: fetchFn,
      resolverUrl: RESOLVER,
      now: steppingClock(),
    });
    expect(result).toEqual({
      ok: true,
      name: RESOLVER_TEST_NAME,
      ms: 7,
      addresses: ['93.184.215.14'],
      answer: 'addresses',
    });
    const asked = (fetchFn as unknown as { mock: { calls: [string][] } }).mock.calls.map(
      ([url]) => decodeDnsParam(String(url)).name,
    );
    expect(new Set(asked)).toEqual(new Set([RESOLVER_TEST_NAME]));
  });

  it('counts "no such name" as an answer: the resolver works', async () => {
    const fetchFn = answering(() => ({ rcode: 3, authority: [rr.soa('com', 60, 60)] }));
    const result = await testResolver({
      fetch: fetchFn,
      resolverUrl: RESOLVER,
      now: steppingClock(),
    });
    expect(result).toMatchObject({ ok: true, addresses: [], answer: 'nxdomain' });
  });

  it('reports an HTTP error with its kind and words', async () => {
    const fetchFn = vi.fn(() =>
      Promise.resolve(new Response('busy', { status: 503 })),
    ) as unknown as typeof fetch;
    const result = await testResolver({
      fetch: fetchFn,
      resolverUrl: RESOLVER,
      now: steppingClock(),
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe('http-status');
      expect(result.error.message).toMatch(/503/);
    }
  });

  it('reports a resolver that never answers as a timeout, within the deadline', async () => {
    const fetchFn = vi.fn(
      (_input: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    ) as unknown as typeof fetch;
    const result = await testResolver({
      fetch: fetchFn,
      resolverUrl: RESOLVER,
      now: () => performance.now(),
      timeoutMs: 50,
    });
    expect(result).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(result.ms).toBeLessThan(2000);
  });

  it('refuses a URL that is not a resolver URL without fetching', async () => {
    const fetchFn = vi.fn() as unknown as typeof fetch;
    const result = await testResolver({ fetch: fetchFn, resolverUrl: 'ftp://x/', now: Date.now });
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-resolver' } });
    expect(fetchFn).not.toHaveBeenCalled();
  });
});
