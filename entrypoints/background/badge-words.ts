/**
 * The toolbar tooltip's words in the browser's language (locales/, `popup.badge.*`), for badgeFor
 * (lib/verdict.ts) and pageBadge (lib/tabs/badge.ts), which take their words as an argument.
 */
import { i18n } from '#i18n';
import { groupName, problemWords, speaksEnglish } from '../../components/lib-words';
import type { PageBadgeWords } from '../../lib/tabs/badge';
import type { BadgeWords } from '../../lib/verdict';

/**
 * i18n.t, remembered: the tooltip is rebuilt as a page's hosts are judged, with the same words
 * each time, and every lookup of a message is a call into the browser (issue 22's worker profile
 * had it on top). Bounded: cleared when full.
 */
const MAX_REMEMBERED = 512;
const remembered = new Map<string, string>();
const translate = i18n.t as (...args: unknown[]) => string;
function t(...args: unknown[]): string {
  const key = JSON.stringify(args);
  let text = remembered.get(key);
  if (text === undefined) {
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    text = translate(...args);
    remembered.set(key, text);
  }
  return text;
}

const andMore = (shown: string, more: number) =>
  t('popup.badge.andMore', { shown, more: String(more) });

export const BADGE_WORDS: BadgeWords = {
  flagged: (host, groups) => t('popup.badge.flagged', { host, groups }),
  probablyFlagged: (host, groups) => t('popup.headline.badgeProbably', { host, groups }),
  // lib's English problem names the resolver; another language gets the kind's words.
  unchecked: (host, problem, kind) =>
    t('popup.badge.unchecked', {
      host,
      problem: speaksEnglish() ? problem : problemWords(kind),
    }),
  local: (host) => t('popup.badge.local', { host }),
  allowlisted: (host) => t('popup.badge.allowlisted', { host }),
  clean: (host) => t('popup.badge.clean', { host }),
  checking: (host) => t('popup.badge.checking', { host }),
  group: (name, details) => `${name} (${details})`,
  groupName: (id, name) => groupName({ id, name }),
  reasonWithAddresses: (reason, addresses) => `${reason}, ${addresses}`,
  asnReason: (asn, org) => (org ? `AS${asn} ${org}` : `AS${asn}`),
  nameReason: (asn, org) =>
    t('popup.badge.nameMatch', { network: org ? `AS${asn} ${org}` : `AS${asn}` }),
  prefixReason: (prefix) => t('popup.badge.prefix', { prefix }),
  confidence: (level) => t(`common.confidence.${level}`),
  andMore,
  list: (items) =>
    items.length <= 1
      ? items.join('')
      : t('popup.badge.and', {
          first: items.slice(0, -1).join(', '),
          last: items[items.length - 1]!,
        }),
};

export const PAGE_BADGE_WORDS: PageBadgeWords = {
  thirdParty: (site, count, total, hosts) =>
    t('popup.badge.thirdParty', count, { site, total: String(total), hosts }),
  groupHosts: (group, hosts) => `${group}: ${hosts}`,
  groupName: (id, name) => groupName({ id, name }),
  andMore,
};
