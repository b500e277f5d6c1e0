/**
 * What the popup and the badge are shown of a tab's hosts. For the badge, each host is judged once
 * per change of it (a stored host is replaced, never changed in place) or of the watchlist, and the
 * summary is rebuilt only when the list changed since it was last asked for; the popup's full views
 * are judged when it asks.
 */
import type { Settings } from '../../settings';
import type { PrefixLookup } from '../../verdict';
import type { CompiledWatchlist } from '../../watchlist/match';
import { judgeHost, rank } from './judge';
import type { Loaded, PageHostsView, PageHostView, StoredHost, ThirdPartySummary } from './record';

export interface HostViewsDeps {
  table: Promise<PrefixLookup>;
  getSettings(): Settings;
  matcher(): CompiledWatchlist;
  maxHosts: number;
}

/** What the badge needs of one host: whether it is flagged (by which groups) or still checked. */
interface HostFacts {
  judgedWith: number;
  checking: boolean;
  groups: { id: string; name: string; code: string }[] | null;
  /** The watched networks of its matched addresses, each once (when flagged). */
  networks: { asn: number; org: string }[];
}

/** The networks (ASN, organisation) of a verdict's addresses that matched a group, each once. */
function watchedNetworks(view: PageHostView): { asn: number; org: string }[] {
  const byAsn = new Map<number, { asn: number; org: string }>();
  for (const address of view.verdict.addresses) {
    if (address.matches.length === 0 || address.lookup.kind !== 'routed') continue;
    if (!byAsn.has(address.lookup.asn)) {
      byAsn.set(address.lookup.asn, { asn: address.lookup.asn, org: address.lookup.org });
    }
  }
  return [...byAsn.values()];
}

export function createHostViews(deps: HostViewsDeps) {
  // Only the badge's few facts are remembered per host (a stored host is replaced, never changed,
  // so a host object's facts never go stale); the popup's full views are judged when it opens.
  const facts = new WeakMap<StoredHost, HostFacts>();
  const summaries = new WeakMap<
    Loaded,
    { judgedWith: number; revision: number; overflow: number; summary: ThirdPartySummary }
  >();
  /** Bumped by every settings change: facts judged before are stale. */
  let judgedWith = 0;

  async function judgeAll(entry: Loaded): Promise<PageHostView[]> {
    const table = await deps.table;
    const settings = deps.getSettings();
    const matcher = deps.matcher();
    return entry.record.hosts.map((host) => judgeHost(host, table, matcher, settings));
  }

  async function factsOf(entry: Loaded): Promise<{ hostname: string; facts: HostFacts }[]> {
    const table = await deps.table;
    const settings = deps.getSettings();
    const matcher = deps.matcher();
    return entry.record.hosts.map((host) => {
      let known = facts.get(host);
      if (known?.judgedWith !== judgedWith) {
        const view = judgeHost(host, table, matcher, settings);
        known = {
          judgedWith,
          checking: view.checking,
          groups: view.verdict.status === 'flagged' ? view.verdict.groups : null,
          networks: view.verdict.status === 'flagged' ? watchedNetworks(view) : [],
        };
        facts.set(host, known);
      }
      return { hostname: host.hostname, facts: known };
    });
  }

  return {
    /** Settings changed: every host is judged again when next shown. */
    settingsChanged(): void {
      judgedWith += 1;
    },

    /** The popup's view: flagged first, then unchecked, checking, the rest. */
    async pageHosts(entry: Loaded): Promise<PageHostsView> {
      const judged = await judgeAll(entry);
      const hosts = judged
        .map((view, order) => ({ view, order }))
        .sort((a, b) => rank(a.view) - rank(b.view) || a.order - b.order)
        .map(({ view }) => view);
      return {
        tabId: entry.record.tabId,
        pageUrl: entry.record.pageUrl,
        siteHostname: entry.record.siteHostname,
        hosts,
        flagged: hosts.filter((h) => h.verdict.status === 'flagged').length,
        checking: hosts.filter((h) => h.checking).length,
        overflowHosts: entry.record.overflowHosts,
        overLimitWatched: hosts.filter((h) => h.notLookedUp === 'over-limit').length,
        queueFull: hosts.filter((h) => h.notLookedUp === 'queue-full').length,
        maxHosts: deps.maxHosts,
      };
    },

    /** The counts behind the badge. */
    async summary(entry: Loaded): Promise<ThirdPartySummary> {
      const memo = summaries.get(entry);
      const overflow = entry.record.overflowHosts;
      if (
        memo?.judgedWith === judgedWith &&
        memo.revision === entry.revision &&
        memo.overflow === overflow
      ) {
        return memo.summary;
      }
      const { revision } = entry;
      const judged = await factsOf(entry);
      const summary: ThirdPartySummary = {
        siteHostname: entry.record.siteHostname,
        total: judged.length + entry.record.overflowHosts,
        checking: judged.filter((h) => h.facts.checking).length,
        flagged: judged
          .filter((h) => h.facts.groups !== null)
          .map((h) => ({
            hostname: h.hostname,
            groups: h.facts.groups!.map((g) => ({ id: g.id, name: g.name, code: g.code })),
            networks: h.facts.networks,
          })),
      };
      summaries.set(entry, { judgedWith, revision, overflow, summary });
      return summary;
    },
  };
}
