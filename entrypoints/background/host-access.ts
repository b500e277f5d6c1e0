/**
 * The worker's side of the access to sites (lib/host-access.ts): asks the browser at start, on
 * `permissions.onAdded` / `onRemoved` and as each tab's badge is decided; while access is missing
 * every tab's badge says so (and the browser-wide default badge does, for tabs without one of their
 * own); when it changes, every tab's badge is set again.
 */
import { i18n } from '#i18n';
import type { Browser } from 'webextension-polyfill';
import {
  BADGE_NEEDS_ACCESS_TEXT,
  badgeWithHostAccess,
  createHostAccessTracker,
  needsAccessBadge,
  requiredOrigins,
  type HostAccessWords,
} from '../../lib/host-access';
import type { Badge, TabReport } from '../../lib/tabs/types';
import { BADGE_NEUTRAL_COLOR } from '../../lib/verdict';

const HOST_ACCESS_WORDS: HostAccessWords = {
  needsAccess: i18n.t('hostAccess.badge'),
  flaggedButNeedsAccess: (site) => i18n.t('hostAccess.flaggedBadge', { site }),
};

export interface HostAccessDeps {
  /** Sets one tab's badge again from its report (the tab monitor's refreshBadge). */
  refreshBadge(tabId: number): Promise<void>;
  log(message: string, error?: unknown): void;
}

/** Registers the permission listeners synchronously (call at worker start) and asks once. */
export function startHostAccess(browser: Browser, deps: HostAccessDeps) {
  const origins = requiredOrigins(browser.runtime.getManifest());

  const showEverywhere = async () => {
    const tabs = await browser.tabs.query({});
    for (const tab of tabs) if (tab.id !== undefined) await deps.refreshBadge(tab.id);
  };

  const tracker = createHostAccessTracker({
    contains: () =>
      origins.length === 0 ? Promise.resolve(true) : browser.permissions.contains({ origins }),
    onChange: async (access) => {
      // The default badge outlives the worker, so it says what the last one knew: a worker that
      // starts (the first answer is a change from 'unknown') with access granted and no "needs
      // access" left over has no badge to correct, and sets none.
      const shownMissing = (await browser.action.getBadgeText({})) === BADGE_NEEDS_ACCESS_TEXT;
      if (access !== 'missing' && !shownMissing) return;
      // The default badge (no tabId): what a tab without a badge of its own shows.
      const badge: Badge =
        access === 'missing'
          ? needsAccessBadge(HOST_ACCESS_WORDS)
          : { text: '', color: BADGE_NEUTRAL_COLOR, title: i18n.t('extension.name') };
      await browser.action.setBadgeBackgroundColor({ color: badge.color });
      await browser.action.setTitle({ title: badge.title });
      await browser.action.setBadgeText({ text: badge.text });
      // Not awaited: the tabs' badges are decided after this change is recorded.
      void showEverywhere().catch((error: unknown) => deps.log('badges not refreshed', error));
    },
    log: deps.log,
  });

  const recheck = () => void tracker.check();
  browser.permissions.onAdded.addListener(recheck);
  browser.permissions.onRemoved.addListener(recheck);
  recheck();

  return {
    /**
     * The tab's badge as it must show given the access to sites. Asks the browser again each
     * time (joining a question already asked), but waits for the answer only until the first one:
     * a change found here sets every tab's badge again.
     */
    async decorate(report: TabReport, badge: Badge): Promise<Badge> {
      const asked = tracker.checkSoon();
      const access = tracker.current() === 'unknown' ? await asked : tracker.current();
      const siteFlagged = report.final && report.verdict.status === 'flagged';
      return badgeWithHostAccess(access, badge, siteFlagged, HOST_ACCESS_WORDS);
    },
  };
}
