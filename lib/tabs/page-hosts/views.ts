/**
 * What the popup and the badge are shown of a tab's hosts. Each host is judged once per change of
 * it (a stored host is replaced, never changed in place) or of the watchlist; the badge's summary
 * is rebuilt only when the list changed since it was last asked for.
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

export function createHostViews(deps: HostViewsDeps) {
  const views = new WeakMap<StoredHost, { judgedWith: number; view: PageHostView }>();
  const summaries = new WeakMap<
    Loaded,
    { judgedWith: number; revision: number; overflow: number; summary: ThirdPartySummary }
  >();
  /** Bumped by every settings change: views judged before are stale. */
  let judgedWith = 0;

  async function judgeAll(entry: Loaded): Promise<PageHostView[]> {
    const table = await deps.table;
    const settings = deps.getSettings();
    const matcher = deps.matcher();
    return entry.record.hosts.map((host) => {
      const memo = views.get(host);
      if (memo && memo.judgedWith === judgedWith) return memo.view;
      const view = judgeHost(host, table, matcher, settings);
      views.set(host, { judgedWith, view });
      return view;
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
      const judged = await judgeAll(entry);
      const summary: ThirdPartySummary = {
        siteHostname: entry.record.siteHostname,
        total: judged.length + entry.record.overflowHosts,
        checking: judged.filter((h) => h.checking).length,
        flagged: judged
          .filter((h) => h.verdict.status === 'flagged')
          .map((h) => ({
            hostname: h.hostname,
            groups: h.verdict.groups.map((g) => ({ id: g.id, name: g.name, code: g.code })),
          })),
      };
      summaries.set(entry, { judgedWith, revision, overflow, summary });
      return summary;
    },
  };
}
