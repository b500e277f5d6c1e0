import { describe, expect, it } from 'vitest';
import { createDohClient, type DohClientOptions } from '../../../lib/dns/doh-client';
import { createResolverClients } from '../../../lib/dns/resolver-clients';

const CLOUDFLARE = 'https://cloudflare-dns.com/dns-query';
const QUAD9 = 'https://dns.quad9.net/dns-query';

describe('createResolverClients', () => {
  it('builds one client per resolver URL and a new one only when the URL changes', () => {
    const built: DohClientOptions[] = [];
    const clients = createResolverClients({
      fetch: () => Promise.reject(new Error('offline')),
      timeoutMs: 1234,
      createClient: (options) => {
        built.push(options);
        return createDohClient(options);
      },
    });
    const first = clients.clientFor(CLOUDFLARE);
    expect(clients.clientFor(CLOUDFLARE)).toBe(first);
    expect(clients.clientFor(CLOUDFLARE)).toBe(first);
    const second = clients.clientFor(QUAD9);
    expect(second).not.toBe(first);
    expect(clients.clientFor(QUAD9)).toBe(second);
    expect(clients.clientFor(CLOUDFLARE)).not.toBe(first); // one at a time: the setting is one URL
    expect(built.map((o) => o.resolverUrl)).toEqual([CLOUDFLARE, QUAD9, CLOUDFLARE]);
    expect(built.every((o) => o.timeoutMs === 1234 && !('createClient' in o))).toBe(true);
  });

  it("asks the current setting's resolver", async () => {
    const asked: string[] = [];
    const clients = createResolverClients({
      fetch: (input) => {
        asked.push(new URL(String(input)).origin);
        return Promise.reject(new Error('offline'));
      },
      retryPauseMs: 0,
    });
    await clients.clientFor(CLOUDFLARE).resolve('a.example');
    await clients.clientFor(QUAD9).resolve('a.example');
    expect(new Set(asked.slice(0, 2))).toEqual(new Set(['https://cloudflare-dns.com']));
    expect(asked.at(-1)).toBe('https://dns.quad9.net');
  });

  it('shares a lookup in flight for the same name and resolver, and asks again once it settled', async () => {
    const resolved: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const clients = createResolverClients({
      fetch: () => Promise.reject(new Error('unused')),
      createClient: (options) => ({
        resolve: async (hostname: string) => {
          resolved.push(`${options.resolverUrl} ${hostname}`);
          await gate;
          return { ok: false, hostname, error: { kind: 'network', message: 'x' } } as never;
        },
      }),
    });
    const a = clients.resolveShared(CLOUDFLARE, 'a.example');
    const b = clients.resolveShared(CLOUDFLARE, 'A.example');
    const other = clients.resolveShared(CLOUDFLARE, 'b.example');
    expect(b).toBe(a);
    release();
    await Promise.all([a, b, other]);
    await clients.resolveShared(CLOUDFLARE, 'a.example');
    expect(resolved).toEqual([
      `${CLOUDFLARE} a.example`,
      `${CLOUDFLARE} b.example`,
      `${CLOUDFLARE} a.example`,
    ]);
  });
});
