/**
 * When and what the history records. The worker hands every badge decision (lib/tabs' onJudged)
 * to `createHistoryRecorder`; it keeps a row only for a committed web page that is flagged itself
 * or loads from at least one flagged third-party host, outside private windows, with the history
 * on (and, in privacy mode, only if the history is on there too). Host names only.
 */
import type { Settings } from '../settings';
import { hostnameOf, isWebUrl } from '../tabs/host-rules';
import type { ThirdPartySummary } from '../tabs/page-hosts';
import type { TabReport } from '../tabs/types';
import type { Verdict } from '../verdict';
import {
  unionBy,
  ROW_LIMITS,
  type HistoryCarrier,
  type HistoryNetwork,
  type VisitRow,
} from './model';
import type { ActionObservation, HistoryStore } from './store';

/** Whether the settings let anything be recorded (private windows are the recorder's check). */
export function historyRecordingAllowed(settings: Settings): boolean {
  const { history } = settings;
  if (!history.enabled) return false;
  return !settings.privacyMode || history.inPrivacyMode;
}

/** The row key of a page: its tab and the report's navigation id (unique per navigation). */
export function visitId(report: Pick<TabReport, 'tabId' | 'navigationId'>): string {
  return `${report.tabId}:${report.navigationId}`;
}

/**
 * The visit a badge decision shows, or null when there is nothing to record: not a committed
 * web page, or neither the site nor any third-party host flagged. `action` is 'shown': the warning
 * and block pages say more through `recordAction`.
 */
export function visitFromJudged(
  report: TabReport,
  hosts: ThirdPartySummary | null,
  at: number,
): VisitRow | null {
  if (!report.committed || !isWebUrl(report.url)) return null;
  // The host name only, from the report's own field (never the URL's path or query).
  const site = report.hostname || hostnameOf(report.url);
  if (!site) return null;
  const siteFlagged = report.verdict.status === 'flagged';
  const flagged = hosts && hosts.siteHostname === site ? hosts.flagged : [];
  if (!siteFlagged && flagged.length === 0) return null;

  const carrierKey = (c: HistoryCarrier) => c.id;
  const networkKey = (n: HistoryNetwork) => String(n.asn);
  let carriers: HistoryCarrier[] = [];
  let networks: HistoryNetwork[] = [];
  if (siteFlagged) ({ carriers, networks } = carriersOf(report.verdict));
  for (const host of flagged) {
    const groups = host.groups.map((g) => ({ id: g.id, name: g.name }));
    carriers = unionBy(carriers, groups, carrierKey, ROW_LIMITS.maxCarriers);
    networks = unionBy(networks, host.networks ?? [], networkKey, ROW_LIMITS.maxNetworks);
  }
  const flaggedHosts = unionBy(
    [],
    flagged.map((h) => h.hostname),
    (h) => h,
    ROW_LIMITS.maxFlaggedHosts,
  );
  return { id: visitId(report), site, at, carriers, networks, flaggedHosts, action: 'shown' };
}

/** A flagged verdict's groups and watched networks, as a row names them. */
export function carriersOf(verdict: Pick<Verdict, 'groups' | 'addresses'>): {
  carriers: HistoryCarrier[];
  networks: HistoryNetwork[];
} {
  const carriers = verdict.groups
    .slice(0, ROW_LIMITS.maxCarriers)
    .map((g) => ({ id: g.id, name: g.name }));
  let networks: HistoryNetwork[] = [];
  for (const address of verdict.addresses) {
    if (address.matches.length === 0 || address.lookup.kind !== 'routed') continue;
    const network = { asn: address.lookup.asn, org: address.lookup.org };
    networks = unionBy(networks, [network], (n) => String(n.asn), ROW_LIMITS.maxNetworks);
  }
  return { carriers, networks };
}

export interface HistoryRecorderDeps {
  /** The store, opened on first use (the worker opens IndexedDB lazily). */
  store(): Promise<HistoryStore>;
  settings(): Settings;
  /** Whether the tab is in a private (incognito) window: never recorded. */
  isPrivateTab(tabId: number): Promise<boolean>;
  now(): number;
  log(message: string, error?: unknown): void;
}

/** Visits whose last written content is remembered, so a repeated decision writes nothing. */
const MAX_REMEMBERED_VISITS = 200;

/** Creates the recorder; its methods never throw (failures are logged). */
export function createHistoryRecorder(deps: HistoryRecorderDeps) {
  /** Visit id → what was last written for it (in memory only: a restart writes once more). */
  const written = new Map<string, string>();
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const done = queue.then(work);
    queue = done.catch(() => undefined);
    return done;
  };

  /** Asked before each write (writes are few: a repeated decision writes nothing). */
  async function isPrivate(tabId: number): Promise<boolean> {
    // A tab that cannot be read (closed already) counts as private: nothing is recorded for it.
    return deps.isPrivateTab(tabId).catch(() => true);
  }

  const bounds = () => {
    const { maxEntries, maxAgeDays } = deps.settings().history;
    return { maxEntries, maxAgeDays };
  };

  return {
    /** lib/tabs' onJudged: returns at once; the write happens in turn. */
    judged(report: TabReport, hosts: ThirdPartySummary | null): void {
      if (!historyRecordingAllowed(deps.settings())) return;
      const visit = visitFromJudged(report, hosts, deps.now());
      if (!visit) return;
      const { at: _at, ...content } = visit;
      const signature = JSON.stringify(content);
      if (written.get(visit.id) === signature) return;
      void inTurn(async () => {
        if (written.get(visit.id) === signature) return;
        if (await isPrivate(report.tabId)) return;
        await (await deps.store()).recordVisit(visit, bounds());
        written.delete(visit.id);
        written.set(visit.id, signature);
        if (written.size > MAX_REMEMBERED_VISITS) {
          written.delete(written.keys().next().value!);
        }
      }).catch((error: unknown) => deps.log(`history: visit ${visit.id} not recorded`, error));
    },

    /**
     * What a warning or block page did for a site in a tab (HistoryStore.recordAction), under the
     * same rules as visits. Resolves to the row, or null when nothing was recorded.
     */
    recordAction(observation: ActionObservation): Promise<VisitRow | null> {
      if (!historyRecordingAllowed(deps.settings())) return Promise.resolve(null);
      return inTurn(async () => {
        if (await isPrivate(observation.tabId)) return null;
        return (await deps.store()).recordAction(observation, bounds());
      }).catch((error: unknown) => {
        deps.log(`history: action on ${observation.site} not recorded`, error);
        return null;
      });
    },

    /** Runs `work` after every write asked for so far (list, clear and import wait for them). */
    afterWrites<T>(work: () => Promise<T>): Promise<T> {
      return inTurn(work);
    },
  };
}

export type HistoryRecorder = ReturnType<typeof createHistoryRecorder>;
