/**
 * Whether the extension may see the sites the user visits (its manifest's host permissions), and
 * what the badge says when it may not.
 *
 * Firefox treats an MV3 extension's host permissions as optional: the user can withhold them at
 * install or take them back later (the Extensions panel, about:addons). Without them webRequest
 * reports no connection and no subresource of any page, so a page with flagged third parties would
 * look clean. That must never look like a clean result: the badge says "needs access" instead, and
 * the popup and the first-run page offer the button that asks for it. Chromium grants them at
 * install (a user can still withhold them per site), so there the state is only ever shown after
 * the user took them away; the code path is the same.
 */
import type { Badge } from './tabs/types';

/** What is known about the extension's access to sites: not yet asked, all of it, or not all. */
export type HostAccess = 'unknown' | 'granted' | 'missing';

/**
 * Blue, dark enough for the badge's white text (4.6:1), and unlike every verdict's colour: red
 * (flagged), amber (third parties flagged), grey (`?`, not checked).
 */
export const BADGE_NEEDS_ACCESS_COLOR = '#1a5fb4';
/** The badge text of the "needs access" state (on blue; `!` on red means several groups). */
export const BADGE_NEEDS_ACCESS_TEXT = '!';

/** The tooltip's words for the "needs access" state; the worker passes the user's language. */
export interface HostAccessWords {
  /** "CarrierFlag needs access to sites to check them". */
  needsAccess: string;
  /** Appended to a flagged site's own title: the rest of the page could not be checked. */
  flaggedButNeedsAccess(siteTitle: string): string;
}

export const ENGLISH_HOST_ACCESS_WORDS: HostAccessWords = {
  needsAccess: 'CarrierFlag needs access to sites to check them',
  flaggedButNeedsAccess: (siteTitle) =>
    `${siteTitle}. CarrierFlag needs access to sites to check the hosts this page loads from`,
};

/**
 * The origins to ask for: exactly the manifest's `host_permissions` (only strings; none when the
 * manifest has none), so the check and the request never drift from what the build declares.
 */
export function requiredOrigins(manifest: { host_permissions?: unknown }): string[] {
  const declared = manifest.host_permissions;
  return Array.isArray(declared)
    ? declared.filter((origin): origin is string => typeof origin === 'string')
    : [];
}

/**
 * The badge for a tab given the extension's access to sites. With access (or while it is not yet
 * known) the tab's own badge. Without it: "needs access" (`!` on blue) in place of every badge but
 * that of a site flagged on its own (`siteFlagged`: its final verdict is flagged), which stays (the
 * site's own DNS answer flagged it, and a finding is never hidden) with the missing access added
 * to its title.
 */
export function badgeWithHostAccess(
  access: HostAccess,
  badge: Badge,
  siteFlagged: boolean,
  words: HostAccessWords,
): Badge {
  if (access !== 'missing') return badge;
  if (siteFlagged) {
    return { ...badge, title: words.flaggedButNeedsAccess(badge.title) };
  }
  return needsAccessBadge(words);
}

/** The badge of the "needs access" state, also the browser-wide default while access is missing. */
export function needsAccessBadge(words: HostAccessWords): Badge {
  return {
    text: BADGE_NEEDS_ACCESS_TEXT,
    color: BADGE_NEEDS_ACCESS_COLOR,
    title: words.needsAccess,
  };
}

export interface HostAccessTrackerDeps {
  /** Asks the browser (`permissions.contains` with requiredOrigins); may reject. */
  contains(): Promise<boolean>;
  /** Called once per change, after the first answer too (unknown → granted or missing). */
  onChange(access: HostAccess): void | Promise<void>;
  log(message: string, error?: unknown): void;
}

/**
 * Keeps the last known access, re-asked whenever `check` is called (at start, on
 * `permissions.onAdded` / `onRemoved`, and as each tab's badge is decided, since the browser's own
 * panels do not always fire those events for host permissions); `onChange` hears every change.
 * Checks are serialised, so two answers never arrive out of order.
 */
export function createHostAccessTracker(deps: HostAccessTrackerDeps) {
  let access: HostAccess = 'unknown';
  let queue: Promise<unknown> = Promise.resolve();
  /** A check queued or running, for `checkSoon` to join. */
  let inFlight: Promise<HostAccess> | null = null;

  async function ask(): Promise<HostAccess> {
    let next: HostAccess;
    try {
      next = (await deps.contains()) ? 'granted' : 'missing';
    } catch (error) {
      // A browser that cannot answer keeps what was known: a wrong "needs access" on every tab
      // would be as misleading as a missed one.
      deps.log('the access to sites could not be checked', error);
      return access;
    }
    if (next !== access) {
      access = next;
      try {
        await deps.onChange(next);
      } catch (error) {
        deps.log('the change of access to sites was not shown', error);
      }
    }
    return access;
  }

  return {
    /** Asks the browser now; resolves to the answer (the last known one if it cannot answer). */
    check(): Promise<HostAccess> {
      const next = queue.then(ask);
      queue = next.catch(() => undefined);
      inFlight = next;
      void next.finally(() => {
        if (inFlight === next) inFlight = null;
      });
      return next;
    },
    /**
     * Joins the check already queued or running, else starts one: for the many badges a busy page
     * sets, at most one question to the browser at a time. (A permission event calls `check`: an
     * answer asked for before the event could be stale.)
     */
    checkSoon(): Promise<HostAccess> {
      return inFlight ?? this.check();
    },
    /** The last known access, without asking. */
    current(): HostAccess {
      return access;
    },
  };
}

export type HostAccessTracker = ReturnType<typeof createHostAccessTracker>;
