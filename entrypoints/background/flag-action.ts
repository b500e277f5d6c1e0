/**
 * Acting on a flag (lib/flag-action): the browser's side. A flagged site's navigation is sent to
 * the warning page, before it connects where the browser lets an extension hold it:
 * - Firefox: a blocking webRequest listener holds each top-level navigation while the site is
 *   judged (a cached DoH answer and the routing data, NAVIGATION_HOLD_CEILING_MS at most; past it
 *   the page loads and the tab is sent to the warning page once the verdict is in);
 * - Chromium (no blocking webRequest in MV3): a session rule redirects later navigations to a site
 *   once it is flagged; the first visit is sent to the warning page as soon as its verdict is in.
 * Flagged third-party hosts are blocked by session rules in both, when that option is on.
 */
import type { Browser, WebRequest } from 'webextension-polyfill';
import type { ResolveResult } from '../../lib/dns';
import {
  blockHosts,
  emptyFlagActionRecord,
  flagResponse,
  grantPass,
  isFlagActionRecord,
  MAX_RULE_ID,
  NAVIGATION_HOLD_CEILING_MS,
  rememberSite,
  sessionRulesFor,
  siteOf,
  underSettings,
  usePass,
  verdictBeforeConnection,
  warningPageUrl,
  withoutTab,
  type FlagActionRecord,
  type FlagResponse,
  type WarningInfo,
} from '../../lib/flag-action';
import { isAllowlisted, type Settings } from '../../lib/settings';
import { FLAG_ACTION_KEY } from '../../lib/storage/session-keys';
import { createSessionRecords } from '../../lib/storage/session-records';
import type { ThirdPartySummary } from '../../lib/tabs/page-hosts';
import { hostnameOf } from '../../lib/tabs/host-rules';
import type { TabReport } from '../../lib/tabs/types';
import type { PrefixLookup, Verdict } from '../../lib/verdict';

/** How long a site found clean before connecting is let go without a check (Firefox). */
const CLEAN_MEMORY_MS = 5 * 60_000;
/** Sites remembered clean at most (the oldest forgotten first). */
const MAX_CLEAN_REMEMBERED = 500;

/** What the history records of a warning page (lib/history). */
export type FlagActionTaken = 'warned' | 'blocked' | 'continued';

export interface FlagActionEvent {
  tabId: number;
  hostname: string;
  action: FlagActionTaken;
  /**
   * The warning page was shown before the site loaded (Firefox's hold, a session rule): a visit
   * of its own. Otherwise it belongs to the visit the tab just had (sent away after loading, or
   * continued).
   */
  newVisit: boolean;
  /** The flagged verdict, when the visit is new (what its row names). */
  verdict?: Verdict;
}

export interface FlagActionDeps {
  settings(): Settings | undefined;
  settingsReady: Promise<Settings>;
  table: Promise<PrefixLookup>;
  resolve(hostname: string, settings: Settings): Promise<ResolveResult>;
  /** This build is Firefox's: navigations can be held. */
  firefox: boolean;
  now(): number;
  log(message: string, error?: unknown): void;
  /** A warning page was shown, or passed ("continue once"), for the tab's visit to `hostname`. */
  onAction?(event: FlagActionEvent): void;
}

export function startFlagAction(browser: Browser, deps: FlagActionDeps) {
  const { log } = deps;
  const base = browser.runtime.getURL('/');
  const store = createSessionRecords<FlagActionRecord>(browser.storage.session as never, {
    version: 1,
    isValid: isFlagActionRecord,
    log,
  });
  let record = emptyFlagActionRecord();
  const loaded = store.get(FLAG_ACTION_KEY).then(
    (stored) => {
      if (stored) record = stored;
    },
    (error: unknown) => log('what acting on a flag remembered could not be read', error),
  );
  // Sites found not flagged before connecting, until when (memory only): a repeat visit is let go
  // at once, with no promise and so no hold. Cleared by any settings change; bounded in count and
  // in time (CLEAN_MEMORY_MS), so a routing data update is seen soon; the page is judged after
  // loading as ever, and a flagged one still sent to the warning page.
  const knownClean = new Map<string, number>();
  // Tabs already sent to the warning page, by the navigation sent away, so a page's later badge
  // decisions do not send it again.
  const sentAway = new Map<number, string>();
  let rulesInForce = '';
  let changes: Promise<void> = loaded;

  /** Applies `change` to the record in turn; the rules follow when it changed. */
  function change(update: (current: FlagActionRecord) => FlagActionRecord): Promise<void> {
    changes = changes.then(async () => {
      const next = update(record);
      if (next === record) return;
      record = next;
      store.set(FLAG_ACTION_KEY, next);
      await syncRules();
    });
    changes = changes.catch((error: unknown) => log('acting on a flag failed', error));
    return changes;
  }

  /** The session rules, rebuilt whole (Firefox holds navigations itself: no site rules there). */
  async function syncRules(): Promise<void> {
    const dnr = browser.declarativeNetRequest;
    if (!dnr) return;
    const rules = sessionRulesFor(deps.firefox ? { ...record, sites: [] } : record, base);
    const wanted = JSON.stringify(rules);
    if (wanted === rulesInForce) return;
    const existing = (await dnr.getSessionRules())
      .map((r) => r.id)
      .filter((id) => id < MAX_RULE_ID);
    await dnr.updateSessionRules({ removeRuleIds: existing, addRules: rules as never });
    rulesInForce = wanted;
  }
  // A restarted worker finds the rules in force; a new browser session finds none, and no record.
  changes = changes
    .then(syncRules)
    .catch((error: unknown) => log('the rules acting on a flag could not be set', error));

  /** Sends the tab to the warning page (its page loaded: the first requests may have left). */
  async function sendAway(report: TabReport, response: FlagResponse): Promise<void> {
    if (sentAway.get(report.tabId) === report.navigationId) return;
    sentAway.set(report.tabId, report.navigationId);
    deps.onAction?.({
      tabId: report.tabId,
      hostname: report.hostname,
      action: response === 'warn' ? 'warned' : 'blocked',
      newVisit: false,
    });
    await browser.tabs.update(report.tabId, { url: warningPageUrl(base, report.url, true) });
  }

  /** Firefox: holds a top-level navigation until its site's verdict, within the ceiling. */
  async function holdNavigation(
    details: WebRequest.OnBeforeRequestDetailsType,
  ): Promise<WebRequest.BlockingResponse> {
    const settings = deps.settings() ?? (await deps.settingsReady);
    const hostname = hostnameOf(details.url);
    if (settings.onFlagged === 'nothing' || !hostname || details.tabId < 0) return {};
    if (isAllowlisted(hostname, settings.allowlist)) return {};
    await loaded;
    const now = deps.now();
    const pass = usePass(record, details.tabId, hostname, undefined, now);
    // Applied to the record as it is when the change runs, not to this snapshot: a change queued
    // meanwhile (a site remembered, a setting) must not be undone.
    if (pass.record !== record) {
      void change((r) => usePass(r, details.tabId, hostname, undefined, now).record);
    }
    if (pass.passes) return {};
    const redirect = { redirectUrl: warningPageUrl(base, details.url) };
    const known = siteOf(record, hostname);
    if (known) {
      const response = flagResponse(known.verdict, settings);
      if (response) {
        deps.onAction?.({
          tabId: details.tabId,
          hostname,
          action: response === 'warn' ? 'warned' : 'blocked',
          newVisit: true,
          verdict: known.verdict,
        });
        return redirect;
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ceiling = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), NAVIGATION_HOLD_CEILING_MS);
    });
    const judged = (async () =>
      verdictBeforeConnection(hostname, settings, {
        resolve: (name) => deps.resolve(name, settings),
        table: await deps.table,
      }))();
    const verdict = await Promise.race([judged, ceiling]).finally(() => clearTimeout(timer));
    const response = verdict ? flagResponse(verdict, settings) : null;
    if (verdict && !response && verdict.status !== 'flagged') rememberClean(hostname, verdict);
    if (!verdict || !response) return {};
    void change((r) => rememberSite(r, verdict, deps.now()));
    deps.onAction?.({
      tabId: details.tabId,
      hostname,
      action: response === 'warn' ? 'warned' : 'blocked',
      newVisit: true,
      verdict,
    });
    return redirect;
  }

  function rememberClean(hostname: string, verdict: { status: string }): void {
    if (verdict.status !== 'clean' && verdict.status !== 'local') return;
    knownClean.delete(hostname);
    knownClean.set(hostname, deps.now() + CLEAN_MEMORY_MS);
    if (knownClean.size > MAX_CLEAN_REMEMBERED) {
      knownClean.delete(knownClean.keys().next().value!);
    }
  }

  /** A site judged clean moments ago, under the same settings. */
  function isKnownClean(url: string): boolean {
    const hostname = hostnameOf(url);
    const until = hostname === undefined ? undefined : knownClean.get(hostname);
    return until !== undefined && until > deps.now();
  }

  if (deps.firefox) {
    browser.webRequest.onBeforeRequest.addListener(
      (details) => {
        // The common cases answer at once: no promise, so nothing is held.
        if (deps.settings()?.onFlagged === 'nothing') return undefined;
        if (deps.settings() && isKnownClean(details.url)) return undefined;
        return holdNavigation(details).catch((error: unknown) => {
          log('a navigation could not be checked before it connected', error);
          return {};
        });
      },
      { urls: ['http://*/*', 'https://*/*'], types: ['main_frame'] },
      ['blocking'],
    );
  }

  return {
    /** A tab's badge was decided (lib/tabs onJudged). */
    onJudged(report: TabReport, hosts: ThirdPartySummary | null): void {
      const settings = deps.settings();
      if (!settings) return;
      if (settings.blockFlaggedHosts && hosts && hosts.flagged.length > 0) {
        const names = hosts.flagged
          .map((h) => h.hostname)
          .filter((h) => !isAllowlisted(h, settings.allowlist));
        void change((r) => blockHosts(r, names));
      }
      if (!report.final || !report.committed) return;
      const response = flagResponse(report.verdict, settings);
      if (!response) return;
      let goes = false;
      void change((r) => {
        const pass = usePass(r, report.tabId, report.hostname, report.navigationId, deps.now());
        goes = !pass.passes;
        const next = rememberSite(pass.record, report.verdict, deps.now());
        return next;
      }).then(async () => {
        if (goes) await sendAway(report, response);
      });
    },

    /** New settings: forget what they no longer act on, and every site found clean under the old. */
    settingsChanged(next: Settings): Promise<void> {
      knownClean.clear();
      return change((r) => underSettings(r, next));
    },

    tabRemoved(tabId: number): void {
      sentAway.delete(tabId);
      void change((r) => withoutTab(r, tabId));
    },

    /** The warning page asks what to show for `siteUrl`. */
    async warningFor(
      siteUrl: string,
      after: boolean,
      tabId: number | undefined,
    ): Promise<WarningInfo | null> {
      const hostname = hostnameOf(siteUrl);
      if (!hostname) return null;
      await changes;
      const settings = deps.settings() ?? (await deps.settingsReady);
      let site = siteOf(record, hostname) ?? null;
      if (!site) {
        // Not remembered (a browser restart since): judged now, the answer cached as ever.
        const verdict = await verdictBeforeConnection(hostname, settings, {
          resolve: (name) => deps.resolve(name, settings),
          table: await deps.table,
        }).catch(() => null);
        if (verdict?.status === 'flagged') {
          await change((r) => rememberSite(r, verdict, deps.now()));
          site = siteOf(record, hostname) ?? null;
        }
      }
      const response = site ? flagResponse(site.verdict, settings) : null;
      // A redirect by a session rule (Chromium) is seen only here; the other ways were recorded.
      if (response && site && tabId !== undefined && !deps.firefox && !after) {
        deps.onAction?.({
          tabId,
          hostname,
          action: response === 'warn' ? 'warned' : 'blocked',
          newVisit: true,
          verdict: site.verdict,
        });
      }
      return { hostname, response, site };
    },

    /** "Continue to the site once" from the warning page in `tabId`; false when blocked. */
    async continueOnce(siteUrl: string, tabId: number): Promise<boolean> {
      const hostname = hostnameOf(siteUrl);
      const settings = deps.settings() ?? (await deps.settingsReady);
      if (!hostname || settings.onFlagged !== 'warn') return false;
      await change((r) => grantPass(r, tabId, hostname, deps.now()));
      deps.onAction?.({ tabId, hostname, action: 'continued', newVisit: false });
      return true;
    },

    /**
     * Whether the report is of a navigation "Continue once" let through (or about to): the visit
     * the warning page was shown for, not a new one.
     */
    continues(report: TabReport): boolean {
      const pass = record.passes.find(
        (p) => p.tabId === report.tabId && p.hostname === report.hostname,
      );
      return (
        pass !== undefined &&
        (pass.navigationId === undefined || pass.navigationId === report.navigationId)
      );
    },

    /** The third-party hosts blocked now (the popup marks them). */
    async blockedHosts(): Promise<string[]> {
      await changes;
      return [...record.blockedHosts];
    },
  };
}

export type FlagAction = ReturnType<typeof startFlagAction>;
