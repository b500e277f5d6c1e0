/**
 * The types the per-tab modules share: the site's report (lib/tabs/site-report), the page's hosts
 * (lib/tabs/page-hosts.ts), the badge (lib/tabs/badge.ts) and the popup's words for them. They
 * live here, importing no per-tab module, so that no per-tab module has to import another's
 * implementation for a type (which made import circles: tests/unit/conventions.test.ts).
 */
import type { DnsError } from '../dns';
import type { ProxyFact } from '../proxy';
import type { Verdict } from '../verdict';

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
  /**
   * Set when `browserAddress` and `proxy` are the site's last connection remembered from an earlier
   * visit (lib/tabs/connection-memory.ts), not this navigation's: the page came from the browser's
   * cache, or its own response has not been seen yet. `at` is when that connection was made.
   */
  rememberedConnection?: { at: number };
  /** The page came from the browser's cache (no connection) and no connection was remembered. */
  noConnection?: boolean;
  doh: DohState;
  verdict: Verdict;
  /** False while the DoH answer is still awaited and nothing is flagged yet. */
  final: boolean;
  updatedAt: number;
  /** DoH addresses left out to keep the report within REPORT_MAX_ADDRESSES (never a flagged one). */
  omittedAddresses?: number;
  /**
   * In memory only: the last write of this report to the session store failed (store full), so a
   * restarted worker would not know it. The badge is still set; the popup says it was not saved.
   */
  notSaved?: boolean;
}

/** What the session store holds per tab. */
export interface TabRecord {
  /** The committed page's report: what the badge and the popup show. */
  shown?: TabReport;
  /** A navigation that started and has not committed; it may never (HTTP 204, a download). */
  pending?: TabReport;
}

/** The subset of storage.session the monitor needs. `set` may reject (quota): that is handled. */
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
