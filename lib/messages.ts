import type { DataUpdateStatus } from './data-update/service';
import type { ResolverTestResult } from './dns/resolver-test';
import type { WarningInfo } from './flag-action';
import type { LockableField } from './policy';
import type { HistoryFilter, VisitRow } from './history/model';
import type { DataUpdateSettings, Settings, SettingsResult } from './settings';
import type { TabReport } from './tabs/types';
import type { PageHostsView } from './tabs/page-hosts';
import type { TableMeta } from './prefix-table';

/** Where the worker's prefix table came from, and what went wrong getting it, if anything. */
export interface EngineStatus {
  tableMeta: TableMeta | null;
  tableOrigin: 'indexeddb' | 'bundled' | 'none';
  /** Shown in the popup: the table could not be stored or read, or settings could not be read. */
  problems: string[];
  /** The routing data's source, date and last update attempt (popup's about line). */
  dataUpdate?: DataUpdateStatus;
}

/**
 * A save's answer: the settings now in effect and, when the administrator's policy locks fields
 * the save tried to change, those fields (their change was not applied).
 */
export type SaveSettingsResult = SettingsResult & { ignoredLocked?: LockableField[] };

/**
 * Every message between the extension's pages and its worker, with its reply.
 * One map, so a sender and its handler cannot disagree about a payload.
 */
export interface MessageMap {
  'get-tab-report': { request: { tabId: number }; response: TabReport | null };
  /** The other hosts the tab's page loads from, judged; null when none are recorded. */
  'get-page-hosts': { request: { tabId: number }; response: PageHostsView | null };
  'get-status': { request: Record<never, never>; response: EngineStatus };
  /** The settings in effect, and the fields the administrator's policy locks (lib/policy). */
  'get-settings': {
    request: Record<never, never>;
    response: { settings: Settings; locked: LockableField[] };
  };
  /**
   * Saves the whole settings record except `dataUpdate`, which only 'save-data-update-settings'
   * changes: a page holding an older copy of the record cannot undo an update setting.
   */
  'save-settings': { request: { settings: Settings }; response: SaveSettingsResult };
  /** Starts a routing data update (or joins the running one); answers when it has ended. */
  'update-data-now': { request: Record<never, never>; response: DataUpdateStatus };
  /** The routing data in use, the update in progress and the last attempt's outcome. */
  'get-data-update-status': { request: Record<never, never>; response: DataUpdateStatus };
  /** The automatic-update switch and the routing data URL; the schedule follows at once. */
  'save-data-update-settings': {
    request: { dataUpdate: DataUpdateSettings };
    response: SaveSettingsResult;
  };
  /** One timed lookup of a public name through `resolverUrl` (settings page, "Test resolver"). */
  'test-resolver': { request: { resolverUrl: string }; response: ResolverTestResult };
  /** What the warning page shows for `siteUrl`; `after`: the page had loaded before (its URL says). */
  'get-warning': { request: { siteUrl: string; after: boolean }; response: WarningInfo | null };
  /** "Continue to the site once": the sending tab's next visit to the site goes through. */
  'continue-once': { request: { siteUrl: string }; response: { ok: boolean } };
  /** "Always allow this site": `hostname` joins the allowlist. */
  'always-allow': { request: { hostname: string }; response: SaveSettingsResult };
  /** The history's rows passing the filter, newest first, and how many rows it holds in all. */
  'history-list': {
    request: { filter: HistoryFilter };
    response: { rows: VisitRow[]; total: number };
  };
  /** Deletes every history row; answers how many there were. */
  'history-clear': { request: Record<never, never>; response: { cleared: number } };
  /**
   * Imports a JSON export (lib/history/export.ts) read in the page: all rows or, on any problem
   * (named by row and field), none. The bounds in the settings apply at once.
   */
  'history-import': { request: { text: string }; response: HistoryImportResult };
}

/** What an import did: how many rows it read and the history now holds, or why it took none. */
export type HistoryImportResult =
  | { ok: true; imported: number; stored: number; removedByBounds: number }
  | { ok: false; reason: string };

export type MessageType = keyof MessageMap;
export type Message = { [K in MessageType]: { type: K } & MessageMap[K]['request'] }[MessageType];
export type MessageOf<K extends MessageType> = { type: K } & MessageMap[K]['request'];
export type ResponseOf<K extends MessageType> = MessageMap[K]['response'];

const MESSAGE_TYPES: ReadonlySet<string> = new Set<MessageType>([
  'get-tab-report',
  'get-page-hosts',
  'get-status',
  'get-settings',
  'save-settings',
  'update-data-now',
  'get-data-update-status',
  'save-data-update-settings',
  'test-resolver',
  'get-warning',
  'continue-once',
  'always-allow',
  'history-list',
  'history-clear',
  'history-import',
]);

/** Narrows an unknown runtime message to one of ours by its `type`; payloads are checked by handlers. */
export function isMessage(value: unknown): value is Message {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    MESSAGE_TYPES.has((value as { type: string }).type)
  );
}

/** The parts of a runtime MessageSender the check needs. */
export interface SenderInfo {
  id?: string;
  url?: string;
}

/**
 * True only for our own extension pages (popup, options): same extension id and a URL under our
 * origin. Content scripts, other extensions and web pages are refused, so they cannot read a tab's
 * history of verdicts or change settings.
 */
export function isOwnPage(
  sender: SenderInfo,
  extensionId: string,
  extensionOrigin: string,
): boolean {
  if (sender.id !== extensionId || typeof sender.url !== 'string') return false;
  const origin = extensionOrigin.endsWith('/') ? extensionOrigin : `${extensionOrigin}/`;
  return sender.url.startsWith(origin);
}

/** A typed request from a page to the worker; `send` is runtime.sendMessage, passed in. */
export function request<K extends MessageType>(
  send: (message: unknown) => Promise<unknown>,
  message: MessageOf<K>,
): Promise<ResponseOf<K>> {
  return send(message) as Promise<ResponseOf<K>>;
}
