/**
 * A site's verdict before the browser connects to it, for holding a navigation (Firefox's blocking
 * webRequest): the DoH answer (the client's cache first) judged against the routing data. Null
 * when it cannot be known before connecting: privacy mode and private names send no query, and a
 * failed lookup says nothing; the site is then judged as ever once connected, and a flagged one
 * warned about after.
 */
import type { ResolveResult } from '../dns';
import { initialDoh, literalAddress } from '../tabs/host-rules';
import type { Settings } from '../settings';
import { buildVerdict, type PrefixLookup, type Verdict } from '../verdict';
import { verdictInput } from '../verdict-input';
import { compileWatchlist, type CompiledWatchlist } from '../watchlist/match';
import type { Watchlist } from '../watchlist/model';

const compiled = new WeakMap<Watchlist, CompiledWatchlist>();

function matcherFor(watchlist: Watchlist): CompiledWatchlist {
  let matcher = compiled.get(watchlist);
  if (!matcher) {
    matcher = compileWatchlist(watchlist);
    compiled.set(watchlist, matcher);
  }
  return matcher;
}

export async function verdictBeforeConnection(
  hostname: string,
  settings: Settings,
  deps: { resolve(hostname: string): Promise<ResolveResult>; table: PrefixLookup },
): Promise<Verdict | null> {
  const matcher = matcherFor(settings.watchlist);
  const doh = initialDoh(hostname, settings);
  if (doh.state === 'skipped') {
    if (doh.why !== 'literal') return null;
    const literal = literalAddress(hostname)!;
    return buildVerdict(
      verdictInput({ hostname, literal }, { kind: 'not-needed' }, {}),
      deps.table,
      matcher,
    );
  }
  const answer = await deps.resolve(hostname);
  if (!answer.ok) return null;
  const addresses = answer.addresses.map((a) => a.ip);
  return buildVerdict(
    verdictInput({ hostname }, { kind: 'answered', addresses }, {}),
    deps.table,
    matcher,
  );
}
