/**
 * One DoH client per resolver setting. The worker used to build a client for every lookup (a URL
 * parsed and validated each time); a client holds nothing per lookup, so one serves every lookup
 * to its resolver, and a new one is built only when the resolver URL changes.
 */
import { createDohClient, type DohClient, type DohClientOptions } from './doh-client';

/** Everything a client needs but the resolver URL, plus how to build one (tests count builds). */
export interface ResolverClientsDeps extends Omit<DohClientOptions, 'resolverUrl'> {
  createClient?(options: DohClientOptions): DohClient;
}

export interface ResolverClients {
  /** The client for `resolverUrl`: the one built last if its URL is the same, else a new one. */
  clientFor(resolverUrl: string): DohClient;
}

/** Creates the holder of the current resolver's client (one at a time: the setting is one URL). */
export function createResolverClients(deps: ResolverClientsDeps): ResolverClients {
  const { createClient = createDohClient, ...options } = deps;
  let current: { url: string; client: DohClient } | undefined;
  return {
    clientFor(resolverUrl) {
      if (current?.url !== resolverUrl) {
        current = { url: resolverUrl, client: createClient({ ...options, resolverUrl }) };
      }
      return current.client;
    },
  };
}
