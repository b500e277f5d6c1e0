/** What a tab's site report needs from its caller (lib/tabs/index.ts passes the browser's parts). */
import type { ResolveResult } from '../../dns';
import type { Settings } from '../../settings';
import type { BadgeWords, PrefixLookup } from '../../verdict';
import type { Badge, SessionArea, TabReport } from '../types';

export interface TabMonitorDeps {
  session: SessionArea;
  /**
   * Shows `badge` on the tab; `changed` names the parts that differ from what the tab shows now
   * (absent: all), so a tooltip that changed alone costs one call, not three.
   */
  setBadge(tabId: number, badge: Badge, changed?: ReadonlySet<keyof Badge>): Promise<void>;
  /** The prefix table; may still be loading when the first events arrive. */
  table: Promise<PrefixLookup>;
  getSettings(): Settings;
  resolve(hostname: string, settings: Settings): Promise<ResolveResult>;
  now(): number;
  log(message: string, error?: unknown): void;
  /** The tooltip's words in the user's language; absent: English. */
  badgeWords?: BadgeWords;
  /** Lets the page's other hosts change the site's badge (lib/tabs/badge.ts); absent: as it is. */
  decorateBadge?(report: TabReport, badge: Badge): Promise<Badge>;
}
