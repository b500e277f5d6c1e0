/**
 * "Test resolver" on the settings page: one lookup of a public name through a resolver, timed, so
 * a user learns whether it works before every site shows `?`. The lookup is the real thing (the
 * DoH client the worker uses, A and AAAA, the same deadline and second try) without the cache, so
 * a pass means lookups will work and a failure names what real lookups would hit.
 */
import { createDohClient, DEFAULT_TIMEOUT_MS } from './doh-client';
import type { DnsError } from './types';

/** A public name every working resolver can answer; the test asks for nothing else. */
export const RESOLVER_TEST_NAME = 'example.com';

export type ResolverTestResult =
  | {
      ok: true;
      name: string;
      /** Time from sending the query to having the answer. */
      ms: number;
      /** The addresses found; [] when the resolver answered that the name has none. */
      addresses: string[];
      /** A resolver that says "no such name" or "no address" has still answered. */
      answer: 'addresses' | 'nxdomain' | 'nodata';
    }
  | { ok: false; name: string; ms: number; error: DnsError };

export interface ResolverTestOptions {
  fetch: typeof fetch;
  resolverUrl: string;
  /** Milliseconds, for the timing (a monotonic clock where there is one). */
  now: () => number;
  timeoutMs?: number;
}

/** Looks RESOLVER_TEST_NAME up through `resolverUrl` and says how it went. Never rejects. */
export async function testResolver(options: ResolverTestOptions): Promise<ResolverTestResult> {
  const client = createDohClient({
    fetch: options.fetch,
    resolverUrl: options.resolverUrl,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const started = options.now();
  const result = await client.resolve(RESOLVER_TEST_NAME);
  const ms = Math.max(0, Math.round(options.now() - started));
  const name = RESOLVER_TEST_NAME;
  if (result.ok) {
    return {
      ok: true,
      name,
      ms,
      addresses: result.addresses.map((a) => a.ip),
      answer: 'addresses',
    };
  }
  if (result.error.kind === 'nxdomain' || result.error.kind === 'nodata') {
    return { ok: true, name, ms, addresses: [], answer: result.error.kind };
  }
  return { ok: false, name, ms, error: result.error };
}
