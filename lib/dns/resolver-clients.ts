/**
 * One DoH client per resolver setting. The worker used to build a client for every lookup (a URL
 * parsed and validated each time); a client holds nothing per lookup, so one serves every lookup
 * to its resolver, and a new one is built only when the resolver URL changes.
 */
import { createDohClient, type DohClient, type DohClientOptions } from './doh-client';
import type { ResolveResult } from './types';

/** Everything a client needs but the resolver URL, plus how to build one (tests count builds). */
export interface ResolverClientsDeps extends Omit<DohClientOptions, 'resolverUrl'> {
  createClient?(options: DohClientOptions): DohClient;
}

export interface ResolverClients {
  /** The client for `resolverUrl`: the one built last if its URL is the same, else a new one. */
  clientFor(resolverUrl: string): DohClient;
  /**
   * `hostname` through `resolverUrl`, sharing a lookup already in flight for the same name: the
   * site's report and a navigation held for its check (lib/flag-action) ask at the same moment,
   * and the resolver is told the name once.
   */
  resolveShared(resolverUrl: string, hostname: string): Promise<ResolveResult>;
}

/** Creates the holder of the current resolver's client (one at a time: the setting is one URL). */
export function createResolverClients(deps: ResolverClientsDeps): ResolverClients {
  const { createClient = createDohClient, ...options } = deps;
  let current: { url: string; client: DohClient } | undefined;
  const inFlight = new Map<string, Promise<ResolveResult>>();
  const clientFor = (resolverUrl: string): DohClient => {
    if (current?.url !== resolverUrl) {
      current = { url: resolverUrl, client: createClient({ ...options, resolverUrl }) };
    }
    return current.client;
  };
  return {
    clientFor,
    resolveShared(resolverUrl, hostname) {
      const key = `${resolverUrl}|${hostname.toLowerCase()}`;
      let lookup = inFlight.get(key);
      if (!lookup) {
        lookup = clientFor(resolverUrl)
          .resolve(hostname)
          .finally(() => inFlight.delete(key));
        inFlight.set(key, lookup);
      }
      return lookup;
    },
  };
}
