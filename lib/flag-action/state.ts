/**
 * What acting on a flag remembers, kept in the session store (key `flag-action`, the lifetime of
 * the browser's session rules that enforce it): the flagged sites a navigation is sent away from
 * before it connects, the flagged hosts a page's requests to are blocked, and the one-time passes
 * "Continue to the site once" gives. Every list is bounded, the oldest going first.
 */
import { isAllowlisted } from '../settings';
import type { Verdict } from '../verdict';

/** Flagged sites remembered (one redirect rule each: Chromium allows 1,000 regex rules in all). */
export const MAX_WARNED_SITES = 300;
/** Flagged third-party hosts blocked (one rule each, same budget). */
export const MAX_BLOCKED_HOSTS = 300;
/** "Continue once" passes outstanding at once (one rule each). */
export const MAX_PASSES = 20;
/** A pass not used within this long lapses: the next visit warns again. */
export const PASS_TTL_MS = 2 * 60_000;
/** How long a navigation is held for its verdict at most (Firefox); past it, it warns after loading. */
export const NAVIGATION_HOLD_CEILING_MS = 1000;
/** Flagged addresses kept per remembered site: enough for the warning page's sentences. */
const MAX_KEPT_ADDRESSES = 8;

/** A flagged site: its verdict when flagged (flagged addresses only), and when. */
export interface WarnedSite {
  hostname: string;
  verdict: Verdict;
  at: number;
}

/**
 * "Continue to the site once" in a tab: the next navigation of that tab to the site goes through.
 * `navigationId` is set once that navigation is seen (the site's report names it), so its own
 * later verdicts do not send the tab back, while the next navigation warns again.
 */
export interface Pass {
  tabId: number;
  hostname: string;
  grantedAt: number;
  navigationId?: string;
}

export interface FlagActionRecord {
  sites: WarnedSite[];
  blockedHosts: string[];
  passes: Pass[];
}

export function emptyFlagActionRecord(): FlagActionRecord {
  return { sites: [], blockedHosts: [], passes: [] };
}

export function isFlagActionRecord(value: unknown): value is FlagActionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    Array.isArray(record.sites) &&
    record.sites.every(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        typeof (s as WarnedSite).hostname === 'string' &&
        typeof (s as WarnedSite).at === 'number' &&
        typeof (s as WarnedSite).verdict === 'object',
    ) &&
    Array.isArray(record.blockedHosts) &&
    record.blockedHosts.every((h) => typeof h === 'string') &&
    Array.isArray(record.passes) &&
    record.passes.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as Pass).tabId === 'number' &&
        typeof (p as Pass).hostname === 'string' &&
        typeof (p as Pass).grantedAt === 'number',
    )
  );
}

/** The verdict as remembered: its flagged addresses only, a bounded number. */
function keptVerdict(verdict: Verdict): Verdict {
  const addresses = verdict.addresses.filter((a) => a.matches.length > 0);
  return { ...verdict, addresses: addresses.slice(0, MAX_KEPT_ADDRESSES) };
}

/** The record with `verdict`'s site remembered as the newest (the oldest dropped past the limit). */
export function rememberSite(
  record: FlagActionRecord,
  verdict: Verdict,
  at: number,
  max = MAX_WARNED_SITES,
): FlagActionRecord {
  if (siteOf(record, verdict.hostname)) return record;
  const sites = record.sites.filter((s) => s.hostname !== verdict.hostname);
  sites.push({ hostname: verdict.hostname, verdict: keptVerdict(verdict), at });
  return { ...record, sites: sites.slice(-max) };
}

export function siteOf(record: FlagActionRecord, hostname: string): WarnedSite | undefined {
  return record.sites.find((s) => s.hostname === hostname);
}

/** The record with `hosts` blocked as well (the newest last); unchanged when none is new. */
export function blockHosts(
  record: FlagActionRecord,
  hosts: readonly string[],
  max = MAX_BLOCKED_HOSTS,
): FlagActionRecord {
  const fresh = hosts.filter((h, i) => !record.blockedHosts.includes(h) && hosts.indexOf(h) === i);
  if (fresh.length === 0) return record;
  return { ...record, blockedHosts: [...record.blockedHosts, ...fresh].slice(-max) };
}

/**
 * The record under new settings: allowlisted sites and hosts forgotten, and with the action off
 * no site kept (nothing is redirected), with blocking off no host kept.
 */
export function underSettings(
  record: FlagActionRecord,
  settings: { onFlagged: string; blockFlaggedHosts: boolean; allowlist: readonly string[] },
): FlagActionRecord {
  const allowed = (host: string) => !isAllowlisted(host, settings.allowlist);
  return {
    sites: settings.onFlagged === 'nothing' ? [] : record.sites.filter((s) => allowed(s.hostname)),
    blockedHosts: settings.blockFlaggedHosts ? record.blockedHosts.filter(allowed) : [],
    passes: record.passes.filter((p) => allowed(p.hostname)),
  };
}

/** The record with a fresh pass for the tab and site (replacing an earlier one of the same tab). */
export function grantPass(
  record: FlagActionRecord,
  tabId: number,
  hostname: string,
  now: number,
): FlagActionRecord {
  const passes = record.passes.filter((p) => p.tabId !== tabId && now - p.grantedAt < PASS_TTL_MS);
  passes.push({ tabId, hostname, grantedAt: now });
  return { ...record, passes: passes.slice(-MAX_PASSES) };
}

/**
 * Whether the tab's navigation `navigationId` to `hostname` goes through on a pass, and the record
 * after asking: an unused pass is taken by this navigation; a pass another navigation took, or a
 * lapsed one, is gone (this visit warns again).
 */
export function usePass(
  record: FlagActionRecord,
  tabId: number,
  hostname: string,
  navigationId: string | undefined,
  now: number,
): { passes: boolean; record: FlagActionRecord } {
  const pass = record.passes.find((p) => p.tabId === tabId && p.hostname === hostname);
  if (!pass) return { passes: false, record };
  const others = record.passes.filter((p) => p !== pass);
  const taken = pass.navigationId !== undefined;
  if (taken && navigationId !== undefined && pass.navigationId === navigationId) {
    return { passes: true, record };
  }
  if (taken || now - pass.grantedAt >= PASS_TTL_MS) {
    return { passes: false, record: { ...record, passes: others } };
  }
  const used: Pass = navigationId === undefined ? pass : { ...pass, navigationId };
  return { passes: true, record: { ...record, passes: [...others, used] } };
}

/** The record without the tab's passes (the tab closed). */
export function withoutTab(record: FlagActionRecord, tabId: number): FlagActionRecord {
  if (!record.passes.some((p) => p.tabId === tabId)) return record;
  return { ...record, passes: record.passes.filter((p) => p.tabId !== tabId) };
}
