import { isAllowlisted, type FlagAction, type Settings } from '../settings';
import type { Verdict } from '../verdict';
import type { WarnedSite } from './state';

/** What the warning page shows: the site, what is done about it, and why. */
export interface WarningInfo {
  hostname: string;
  /** Null when the site is no longer acted on (allowlisted since, or the action switched off). */
  response: FlagResponse | null;
  site: WarnedSite | null;
}

/** What CarrierFlag does before a flagged site's page is shown: warn (continue allowed) or block. */
export type FlagResponse = Exclude<FlagAction, 'nothing'>;

/**
 * The response to a site's verdict under the settings: none unless the action is on, the verdict
 * says flagged and the site is not allowlisted (an allowlisted site's verdict is never flagged;
 * checked again here because the allowlist may have changed since the verdict was made).
 */
export function flagResponse(
  verdict: Pick<Verdict, 'hostname' | 'status'>,
  settings: Pick<Settings, 'onFlagged' | 'allowlist'>,
): FlagResponse | null {
  if (settings.onFlagged === 'nothing' || verdict.status !== 'flagged') return null;
  if (isAllowlisted(verdict.hostname, settings.allowlist)) return null;
  return settings.onFlagged;
}
