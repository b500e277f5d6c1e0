/**
 * One verdict per tab, kept in a session store so a worker that the browser stops and restarts
 * loses nothing.
 *
 * Lifecycle of a tab's report (key `tab:<id>` in the session store):
 * - navigation starts → a fresh report for the new hostname; the DoH lookup starts (unless the site is
 *   allowlisted, an IP literal, or privacy mode is on);
 * - the main-frame response starts → the address the browser connected to joins the report, unless
 *   it is a proxy's (lib/proxy: Firefox says so, or the repeated-address pattern finds it);
 * - the navigation commits → the report is marked committed and from then on every change is shown
 *   on the badge (the browser wipes a per-tab badge at commit, so earlier writes would be lost);
 * - the tab closes → the report goes.
 * A report whose DoH lookup was in flight when the worker died is resumed by `resumePending`.
 * Module-level state here is only a queue of in-flight work; everything that matters is in the store.
 */
import { checkQueryableName, type DnsError, type ResolveResult } from './dns';
import { parseIp } from './ip/parse';
import { canonicalIp, createProxyDetector, type ConnectionSeen, type ProxyFact } from './proxy';
import { BADGE_NEUTRAL_COLOR, badgeFor, buildVerdict, type Verdict } from './verdict';
import { isAllowlisted, type Settings } from './settings';
import type { LookupResult } from './prefix-table';
import { compileWatchlist } from './watchlist/match';

export type DohState =
  | { state: 'pending' }
  | { state: 'skipped'; why: 'allowlisted' | 'literal' | BrowserOnlyReason }
  | { state: 'done'; addresses: string[]; cnameChain: string[]; retried?: boolean }
  | { state: 'failed'; error: DnsError };

/**
 * Why only the browser's own connection is used: privacy mode, or a private/local name (`.local`,
 * `intranet`, …) that must never be sent to a resolver.
 */
export type BrowserOnlyReason = 'privacy-mode' | 'private-name';

/** What the popup shows for a tab, and what the badge is derived from. */
export interface TabReport {
  tabId: number;
  url: string;
  hostname: string;
  /** Distinguishes navigations, so a late answer for an earlier page is dropped. */
  navigationId: string;
  committed: boolean;
  browserAddress?: string;
  /** The proxy the connection went through; `browserAddress` is then the proxy's, not the site's. */
  proxy?: ProxyFact;
  doh: DohState;
  verdict: Verdict;
  /** False while the DoH answer is still awaited and nothing is flagged yet. */
  final: boolean;
  updatedAt: number;
}

/** The subset of storage.session the monitor needs. */
export interface SessionArea {
  get(key: string): Promise<Record<string, unknown>>;
  get(key: null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

export interface Badge {
  text: string;
  color: string;
  title: string;
}

export interface TabMonitorDeps {
  session: SessionArea;
  setBadge(tabId: number, badge: Badge): Promise<void>;
  /** The prefix table; may still be loading when the first events arrive. */
  table: Promise<{ lookup(text: string): LookupResult }>;
  getSettings(): Settings;
  resolve(hostname: string, settings: Settings): Promise<ResolveResult>;
  now(): number;
  log(message: string, error?: unknown): void;
}

const TAB_KEY_PREFIX = 'tab:';
const tabKey = (tabId: number) => `${TAB_KEY_PREFIX}${tabId}`;

/** Creates the monitor; every method is safe to call from a listener (errors are logged, not thrown). */
export function createTabMonitor(deps: TabMonitorDeps) {
  // Serialises work per tab so two events never write one report concurrently.
  const queues = new Map<number, Promise<void>>();
  const lastBadge = new Map<number, string>();
  let matcher = compileWatchlist(deps.getSettings().watchlist);
  const proxies = createProxyDetector(deps);
  let navigationCounter = 0;

  function enqueue(tabId: number, work: () => Promise<void>): Promise<void> {
    const previous = queues.get(tabId) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => deps.log(`tab ${tabId}: update failed`, error));
    queues.set(tabId, next);
    void next.then(() => {
      if (queues.get(tabId) === next) queues.delete(tabId);
    });
    return next;
  }

  async function readReport(tabId: number): Promise<TabReport | undefined> {
    const stored = await deps.session.get(tabKey(tabId));
    return stored[tabKey(tabId)] as TabReport | undefined;
  }

  /** Waits for the table only here, so a DoH query never waits for the table to load. */
  async function evaluate(
    report: Omit<TabReport, 'verdict' | 'final' | 'updatedAt'>,
  ): Promise<TabReport> {
    const table = await deps.table;
    const settings = deps.getSettings();
    const allowlisted = isAllowlisted(report.hostname, settings.allowlist);
    const literal = literalAddress(report.hostname);
    const judged = await proxies.judge(connectionOf(report));
    const proxy = judged.proxy;
    if (proxy && judged.newlyDetected) refreshReportsThrough(proxy.address, report.tabId);
    const seen = report.browserAddress !== undefined || proxy !== undefined;
    const verdict = buildVerdict(
      {
        hostname: report.hostname,
        allowlisted,
        literal,
        browserAddress: report.browserAddress,
        proxy,
        dohAddresses: report.doh.state === 'done' ? report.doh.addresses : undefined,
        dnsError:
          report.doh.state === 'failed'
            ? report.doh.error
            : browserOnly(report.doh) && !seen
              ? { kind: report.doh.why, message: 'no connection to the site was seen yet' }
              : undefined,
      },
      table,
      matcher,
    );
    const waiting = report.doh.state === 'pending' || (browserOnly(report.doh) && !seen);
    const final = !waiting || verdict.status === 'flagged';
    return { ...report, proxy, verdict, final, updatedAt: deps.now() };
  }

  /** A proxy was just recognised: every other tab that connected through it is judged again. */
  function refreshReportsThrough(proxyAddress: string, exceptTabId: number): void {
    void allReports().then(
      (reports) => {
        for (const stale of reports) {
          if (stale.tabId === exceptTabId || !stale.browserAddress) continue;
          if (canonicalIp(stale.browserAddress) !== proxyAddress) continue;
          void enqueue(stale.tabId, async () => {
            const current = await readReport(stale.tabId);
            if (!current || current.navigationId !== stale.navigationId) return;
            await store(await evaluate(current));
          });
        }
      },
      (error: unknown) => deps.log(`reports through proxy ${proxyAddress} not refreshed`, error),
    );
  }

  async function store(report: TabReport): Promise<void> {
    await deps.session.set({ [tabKey(report.tabId)]: report });
    if (report.committed) await showBadge(report);
  }

  async function showBadge(report: TabReport): Promise<void> {
    const badge: Badge = report.final
      ? badgeFor(report.verdict)
      : {
          text: '',
          color: BADGE_NEUTRAL_COLOR,
          title: `CarrierFlag: checking ${report.hostname}…`,
        };
    const key = `${report.navigationId}|${badge.text}|${badge.color}|${badge.title}`;
    if (lastBadge.get(report.tabId) === key) return;
    await deps.setBadge(report.tabId, badge);
    lastBadge.set(report.tabId, key);
  }

  function initialDoh(hostname: string, settings: Settings): DohState {
    if (isAllowlisted(hostname, settings.allowlist))
      return { state: 'skipped', why: 'allowlisted' };
    if (literalAddress(hostname)) return { state: 'skipped', why: 'literal' };
    if (settings.privacyMode) return { state: 'skipped', why: 'privacy-mode' };
    if (!checkQueryableName(hostname).ok) return { state: 'skipped', why: 'private-name' };
    return { state: 'pending' };
  }

  /** Runs the DoH lookup for a report and stores the outcome, unless the tab moved on meanwhile. */
  async function runLookup(tabId: number, navigationId: string, hostname: string): Promise<void> {
    let outcome: DohState;
    try {
      const result = await deps.resolve(hostname, deps.getSettings());
      outcome = result.ok
        ? {
            state: 'done',
            addresses: result.addresses.map((a) => a.ip),
            cnameChain: [...result.cnameChain],
            // Only when true, so reports of first-try answers keep their shape.
            ...(result.retried ? { retried: true } : {}),
          }
        : { state: 'failed', error: result.error };
    } catch (error) {
      // The client promises never to throw; if it does, the tab must still not look clean.
      deps.log(`resolver threw for ${hostname}`, error);
      outcome = { state: 'failed', error: { kind: 'network', message: String(error) } as DnsError };
    }
    await enqueue(tabId, async () => {
      const report = await readReport(tabId);
      if (!report || report.navigationId !== navigationId) return;
      await store(await evaluate({ ...report, doh: outcome }));
    });
  }

  function startReport(
    tabId: number,
    url: string,
    base?: Partial<TabReport>,
  ): Omit<TabReport, 'verdict' | 'final' | 'updatedAt'> {
    const hostname = hostnameOf(url) ?? '';
    const settings = deps.getSettings();
    navigationCounter += 1;
    return {
      tabId,
      url,
      hostname,
      navigationId: `${deps.now().toString(36)}-${navigationCounter}`,
      committed: base?.committed ?? false,
      browserAddress: base?.browserAddress,
      proxy: base?.proxy,
      doh: initialDoh(hostname, settings),
    };
  }

  async function begin(tabId: number, url: string, base?: Partial<TabReport>): Promise<void> {
    const report = startReport(tabId, url, base);
    lastBadge.delete(tabId);
    // The query goes out first; its answer is queued behind this task, so it finds the report stored.
    if (report.doh.state === 'pending') {
      void runLookup(tabId, report.navigationId, report.hostname);
    }
    await store(await evaluate(report));
  }

  return {
    /** A top-level navigation to `url` started in `tabId`. */
    navigationStarted(tabId: number, url: string): Promise<void> {
      return enqueue(tabId, async () => {
        if (!isWebUrl(url)) {
          await deps.session.remove(tabKey(tabId));
          return;
        }
        await begin(tabId, url);
      });
    },

    /**
     * The main-frame response for `url` started; `ip` is the address the browser connected to and
     * `proxy` the proxy the browser says it went through (Firefox's proxyInfo), if any.
     */
    responseStarted(
      tabId: number,
      url: string,
      ip: string | undefined,
      proxy?: ProxyFact,
    ): Promise<void> {
      return enqueue(tabId, async () => {
        if (!isWebUrl(url)) return;
        const report = await readReport(tabId);
        const hostname = hostnameOf(url);
        if (!report || report.hostname !== hostname) {
          // A redirect to another host, or a worker that missed the start: evaluate the new host.
          await begin(tabId, url, { browserAddress: ip, proxy, committed: false });
          return;
        }
        const sameProxy = proxy?.address === reportedProxy(report)?.address;
        if ((!ip && !proxy) || (report.browserAddress === ip && sameProxy)) return;
        await store(await evaluate({ ...report, browserAddress: ip, proxy }));
      });
    },

    /** The top-level navigation committed: from now on the badge shows the verdict. */
    navigationCommitted(tabId: number, url: string): Promise<void> {
      return enqueue(tabId, async () => {
        lastBadge.delete(tabId);
        if (!isWebUrl(url)) {
          await deps.session.remove(tabKey(tabId));
          await deps.setBadge(tabId, {
            text: '',
            color: BADGE_NEUTRAL_COLOR,
            title: 'CarrierFlag',
          });
          return;
        }
        const report = await readReport(tabId);
        if (!report || report.hostname !== hostnameOf(url)) {
          await begin(tabId, url, { committed: true, browserAddress: undefined });
          return;
        }
        await store({ ...report, committed: true });
      });
    },

    /** The tab closed. */
    tabRemoved(tabId: number): Promise<void> {
      lastBadge.delete(tabId);
      return enqueue(tabId, () => deps.session.remove(tabKey(tabId)));
    },

    /** The report the popup shows, or null when the tab has no web page. */
    getReport(tabId: number): Promise<TabReport | null> {
      return readReport(tabId).then((r) => r ?? null);
    },

    /** After a worker restart: finish every lookup that was in flight when the old worker died. */
    async resumePending(): Promise<void> {
      for (const report of await allReports()) {
        if (report.doh.state === 'pending') {
          void runLookup(report.tabId, report.navigationId, report.hostname);
        }
      }
    },

    /** Settings changed: re-evaluate every open tab against the new watchlist, resolver and lists. */
    async settingsChanged(): Promise<void> {
      matcher = compileWatchlist(deps.getSettings().watchlist);
      for (const report of await allReports()) {
        await enqueue(report.tabId, async () => {
          const current = await readReport(report.tabId);
          if (!current) return;
          await begin(current.tabId, current.url, {
            committed: current.committed,
            browserAddress: current.browserAddress,
            proxy: current.proxy,
          });
        });
      }
    },
  };

  async function allReports(): Promise<TabReport[]> {
    const everything = await deps.session.get(null);
    return Object.entries(everything)
      .filter(([key]) => key.startsWith(TAB_KEY_PREFIX))
      .map(([, value]) => value as TabReport);
  }
}

export type TabMonitor = ReturnType<typeof createTabMonitor>;

/** The proxy the browser itself named for this report's connection (not one the pattern found). */
function reportedProxy(report: Pick<TabReport, 'proxy'>): ProxyFact | undefined {
  return report.proxy?.detectedBy === 'proxy-info' ? report.proxy : undefined;
}

/** What the proxy detector needs to know about a report's connection. */
function connectionOf(
  report: Pick<TabReport, 'hostname' | 'browserAddress' | 'proxy' | 'doh'>,
): ConnectionSeen {
  const { doh } = report;
  return {
    host: report.hostname,
    ip: report.browserAddress,
    reported: reportedProxy(report),
    dns:
      doh.state === 'done' && doh.addresses.length > 0
        ? doh.addresses
        : doh.state === 'pending'
          ? 'not-yet'
          : doh.state === 'skipped' && doh.why !== 'privacy-mode'
            ? 'not-recorded'
            : 'unanswered',
  };
}

function browserOnly(doh: DohState): doh is { state: 'skipped'; why: BrowserOnlyReason } {
  return doh.state === 'skipped' && (doh.why === 'privacy-mode' || doh.why === 'private-name');
}

function isWebUrl(url: string): boolean {
  return url.startsWith('http://') || url.startsWith('https://');
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/\.$/, '').toLowerCase();
  } catch {
    return undefined;
  }
}

/** The address when the hostname is an IP literal (`[2001:db8::1]` included), else undefined. */
function literalAddress(hostname: string): string | undefined {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return parseIp(bare).ok ? bare : undefined;
}
