import type { PrefixTable, TableCodec } from '../prefix-table';
import type { WatchGroup } from '../watchlist/model';
import { isoDay, isStale, publishedAtOf } from './dates';
import type { DownloadLimits, FetchLike } from './download';
import type { RedirectMode, RedirectWatch } from './redirects';
import {
  fetchRoutingUpdate,
  type DownloadRecord,
  type UpdateOutcome,
  type UpdateProgress,
  type UpdateRefusal,
} from './update';

/**
 * How the last update attempt ended, for code: the pages word it in the user's language
 * (components/lib-words.ts); `message` says it in English.
 */
export type LastUpdateCode =
  | { kind: 'updated'; publishedAt: number }
  | { kind: 'unchanged' }
  /** 'not-stored': the new table could not be stored; 'unexpected': the attempt threw. */
  | { kind: 'refused'; refusal: UpdateRefusal | 'not-stored' | 'unexpected' };

/** How the last update attempt ended, in words for the settings page and the popup. */
export interface LastUpdateAttempt {
  at: number;
  result: 'updated' | 'unchanged' | 'refused';
  /** In English: the CLI's words, and the English pages'. */
  message: string;
  /** The same as a code (absent in attempts an earlier release saved). */
  code?: LastUpdateCode;
  /** The sources it asked (absent in attempts an earlier release saved). */
  sources?: string[];
}

/** The table in use, as the pages show it. */
export interface TableInfo {
  source: string;
  version: string;
  /** When the data was published, if its version or download says. */
  publishedAt: number | null;
  /** True for a table built from a download, false for the bundled one. */
  downloaded: boolean;
  /** The hosts that served the downloaded files, after any redirects (empty for the bundled table). */
  servedBy: string[];
}

/** What the settings page and the popup show about the routing data and its updates. */
export interface DataUpdateStatus {
  running: boolean;
  progress: UpdateProgress | null;
  last: LastUpdateAttempt | null;
  table: TableInfo | null;
  /** The weekly check is on (and with it the check soon after start when the data is old). */
  automatic: boolean;
  /**
   * Automatic updates are on and the sources as set have not been asked yet (a fresh install, an
   * upgrade, or the list just changed): a check is due, so old data is "being checked", not stale.
   */
  pendingCheck: boolean;
}

/**
 * What the pages say about the data's age: 'fresh'; 'checking' while an update runs or, with
 * automatic updates on, before the first check has ended; and "stale" only with its reason —
 * updates switched off, the last update failed, or no source has anything newer.
 */
export type Freshness = 'fresh' | 'checking' | 'stale-off' | 'stale-failed' | 'stale-no-newer';

/** True when the data is called stale (with its reason), not fresh and not being checked. */
export function isStaleWithReason(freshness: Freshness): boolean {
  return freshness !== 'fresh' && freshness !== 'checking';
}

/** The freshness the popup and the settings page show for a status (see `Freshness`). */
export function freshnessOf(
  status: DataUpdateStatus | null | undefined,
  publishedAt: number | null,
  now: number,
): Freshness {
  if (status?.running) return 'checking';
  if (publishedAt === null || !isStale(publishedAt, now)) return 'fresh';
  if (!status || status.pendingCheck) return 'checking';
  // The most recent fact first: a failed update says why, whether or not updates are automatic.
  if (status.last?.result === 'refused') return 'stale-failed';
  return status.automatic ? 'stale-no-newer' : 'stale-off';
}

export interface DataUpdateServiceDeps {
  fetch: FetchLike;
  codec: TableCodec;
  now(): number;
  /** The "Routing data sources" setting at the time of the attempt, in order. */
  sources(): readonly string[];
  /** 'browser' in the extension's worker (the browser follows redirects itself). */
  redirects?: RedirectMode;
  /** The redirects of the worker's own requests, where the browser reports them (redirects.ts). */
  watchRedirects?: RedirectWatch;
  /** The table in use, and its download when it came from one; null while none is loaded. */
  current(): Promise<{ table: PrefixTable; download?: DownloadRecord } | null>;
  /** Stores the table as a new version, switches to it atomically, then serves lookups from it. */
  switchTo(table: PrefixTable, download: DownloadRecord): Promise<void>;
  /** The last attempt survives the worker: kept in storage.local by the caller. */
  loadLast(): Promise<LastUpdateAttempt | null>;
  saveLast(attempt: LastUpdateAttempt): Promise<void>;
  carrierGroups: readonly Pick<WatchGroup, 'id' | 'name' | 'asns'>[];
  /** The "check every week" setting at the time of asking. */
  automatic(): boolean;
  yieldToEvents?(): Promise<void>;
  downloadLimits?: Partial<DownloadLimits>;
  log?(message: string, error?: unknown): void;
}

export interface DataUpdateService {
  /** Runs an update, or joins the one running; resolves with how it ended. Never rejects. */
  updateNow(): Promise<LastUpdateAttempt>;
  status(): Promise<DataUpdateStatus>;
}

/** The table's source, version and publication date, for display. */
export function tableInfoOf(table: PrefixTable, download?: DownloadRecord): TableInfo {
  return {
    source: table.meta.source,
    version: table.meta.sourceVersion,
    publishedAt: download?.publishedAt ?? publishedAtOf(table.meta.sourceVersion) ?? null,
    downloaded: download !== undefined,
    servedBy: [
      ...new Set(
        (download?.files ?? [])
          .map((f) => f.servedBy)
          .filter((host): host is string => host !== undefined),
      ),
    ],
  };
}

/**
 * The worker's routing data updates: one attempt at a time (a second "Update now" or an alarm
 * during an attempt joins it), progress for the settings page, the outcome kept for the next
 * worker. The download, reading and guards are `fetchRoutingUpdate`'s; storing is the caller's.
 */
export function createDataUpdateService(deps: DataUpdateServiceDeps): DataUpdateService {
  let running: Promise<LastUpdateAttempt> | null = null;
  let progress: UpdateProgress | null = null;
  let last: LastUpdateAttempt | null | undefined;

  async function attempt(): Promise<LastUpdateAttempt> {
    const sources = [...deps.sources()];
    const ended = await attemptWith(sources);
    return { ...ended, sources };
  }

  async function attemptWith(sources: string[]): Promise<LastUpdateAttempt> {
    const current = await deps.current();
    let outcome: UpdateOutcome;
    let unexpected = false;
    try {
      outcome = await fetchRoutingUpdate({
        fetch: deps.fetch,
        sources,
        ...(deps.redirects ? { redirects: deps.redirects } : {}),
        ...(deps.watchRedirects ? { watchRedirects: deps.watchRedirects } : {}),
        current: current?.table ?? null,
        ...(current?.download ? { currentDownload: current.download } : {}),
        carrierGroups: deps.carrierGroups,
        codec: deps.codec,
        now: deps.now,
        onProgress: (p) => (progress = p),
        ...(deps.yieldToEvents ? { yieldToEvents: deps.yieldToEvents } : {}),
        ...(deps.downloadLimits ? { downloadLimits: deps.downloadLimits } : {}),
      });
    } catch (error) {
      unexpected = true;
      outcome = {
        kind: 'refused',
        reason: `The update failed unexpectedly: ${String(error)}.`,
        refusal: 'sources-failed',
      };
    }
    const at = deps.now();
    if (outcome.kind === 'unchanged') {
      return {
        at,
        result: 'unchanged',
        message: 'Checked: the routing data has not changed since the last update.',
        code: { kind: 'unchanged' },
      };
    }
    if (outcome.kind === 'refused') {
      return {
        at,
        result: 'refused',
        message: `Not updated, the data in use stays. ${outcome.reason}`,
        code: { kind: 'refused', refusal: unexpected ? 'unexpected' : outcome.refusal },
      };
    }
    progress = { phase: 'storing' };
    try {
      await deps.switchTo(outcome.table, outcome.download);
    } catch (error) {
      deps.log?.('the downloaded table could not be stored', error);
      return {
        at,
        result: 'refused',
        message: `Not updated, the data in use stays. The new table could not be stored (${String(error)}).`,
        code: { kind: 'refused', refusal: 'not-stored' },
      };
    }
    return {
      at,
      result: 'updated',
      message: `Updated to the data published on ${isoDay(outcome.download.publishedAt)}: ${outcome.summary}.`,
      code: { kind: 'updated', publishedAt: outcome.download.publishedAt },
    };
  }

  async function lastAttempt(): Promise<LastUpdateAttempt | null> {
    if (last === undefined) last = await deps.loadLast().catch(() => null);
    return last;
  }

  return {
    updateNow() {
      running ??= attempt()
        .then(async (result) => {
          last = result;
          await deps
            .saveLast(result)
            .catch((error: unknown) => deps.log?.('update outcome not saved', error));
          return result;
        })
        .finally(() => {
          running = null;
          progress = null;
        });
      return running;
    },
    async status() {
      const current = await deps.current();
      return {
        running: running !== null,
        progress,
        last: await lastAttempt(),
        table: current ? tableInfoOf(current.table, current.download) : null,
        automatic: deps.automatic(),
        pendingCheck: deps.automatic() && !sameList(last?.sources, deps.sources()),
      };
    },
  };
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((item, i) => item === b[i]);
}
