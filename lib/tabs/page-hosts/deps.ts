/** What a tab host list needs from its caller (lib/tabs/index.ts passes the browser's parts). */
import type { ResolveResult } from '../../dns';
import type { Settings } from '../../settings';
import type { PrefixLookup } from '../../verdict';
import type { SessionArea } from '../types';

export interface PageHostsDeps {
  session: SessionArea;
  table: Promise<PrefixLookup>;
  getSettings(): Settings;
  resolve(hostname: string, settings: Settings): Promise<ResolveResult>;
  /** The committed page of a tab, when this module has no record of it (e.g. installed mid-page). */
  pageOf(tabId: number): Promise<{ url: string } | null>;
  /** The tab's hosts or their evidence changed: the badge may need showing again. */
  onChange(tabId: number): void;
  now(): number;
  log(message: string, error?: unknown): void;
  /**
   * For tests; default MAX_LOOKUPS_IN_FLIGHT, MAX_QUEUED_LOOKUPS_PER_TAB, MAX_HOSTS_PER_TAB,
   * WRITE_DELAY_MS and LOOKUP_HOLD_MS.
   */
  maxLookupsInFlight?: number;
  lookupHoldMs?: number;
  maxQueuedLookupsPerTab?: number;
  maxHostsPerTab?: number;
  writeDelayMs?: number;
}
