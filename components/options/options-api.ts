/**
 * How the options page reaches the worker, and how its sections save: typed apart from the page
 * (components/Options.tsx) so that the sections need not import the page that imports them.
 */
import type { ResolverTestResult } from '../../lib/dns';
import type { SaveSettingsResult } from '../../lib/messages';
import type { LockableField } from '../../lib/policy';
import type { Settings } from '../../lib/settings';
import type { Watchlist } from '../../lib/watchlist/model';
import type { HistoryFilter, VisitRow } from '../../lib/history/model';
import type { HistoryImportResult } from '../../lib/messages';

/** How the options page reaches the worker; main.tsx passes the real one. */
export interface OptionsApi {
  /** The settings in effect and the fields the administrator's policy locks. */
  load(): Promise<{ settings: Settings; locked: LockableField[] }>;
  save(settings: Settings): Promise<SaveSettingsResult>;
  /** Offers `text` as a file download named `filename`. */
  download(filename: string, text: string): void;
  /** One timed lookup of a public name through `resolverUrl`, made by the worker. */
  testResolver(resolverUrl: string): Promise<ResolverTestResult>;
  /** The local history of flagged visits, kept by the worker. */
  history: HistoryApi;
}

/** How the History section reaches the worker (main.tsx passes the real messages). */
export interface HistoryApi {
  list(filter: HistoryFilter): Promise<{ rows: VisitRow[]; total: number }>;
  clear(): Promise<{ cleared: number }>;
  import(text: string): Promise<HistoryImportResult>;
}

/**
 * Saves a whole settings record through the worker: resolves to null once saved (the page then
 * shows what the worker accepted), or to the reason nothing changed.
 */
export type SaveFn = (next: Settings) => Promise<string | null>;

/** Saves a new watchlist, the rest of the settings as they are. */
export type SaveWatchlist = (watchlist: Watchlist) => Promise<string | null>;
