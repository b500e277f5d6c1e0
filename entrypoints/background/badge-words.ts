/**
 * The toolbar tooltip's words in the browser's language (locales/, `popup.badge.*`), for badgeFor
 * (lib/verdict.ts) and pageBadge (lib/tabs/badge.ts), which take their words as an argument.
 */
import { i18n } from '#i18n';
import { groupName, problemWords, speaksEnglish } from '../../components/lib-words';
import type { PageBadgeWords } from '../../lib/tabs/badge';
import type { BadgeWords } from '../../lib/verdict';

const andMore = (shown: string, more: number) =>
  i18n.t('popup.badge.andMore', { shown, more: String(more) });

export const BADGE_WORDS: BadgeWords = {
  flagged: (host, groups) => i18n.t('popup.badge.flagged', { host, groups }),
  probablyFlagged: (host, groups) => i18n.t('popup.headline.badgeProbably', { host, groups }),
  // lib's English problem names the resolver; another language gets the kind's words.
  unchecked: (host, problem, kind) =>
    i18n.t('popup.badge.unchecked', {
      host,
      problem: speaksEnglish() ? problem : problemWords(kind),
    }),
  local: (host) => i18n.t('popup.badge.local', { host }),
  allowlisted: (host) => i18n.t('popup.badge.allowlisted', { host }),
  clean: (host) => i18n.t('popup.badge.clean', { host }),
  checking: (host) => i18n.t('popup.badge.checking', { host }),
  group: (name, details) => `${name} (${details})`,
  groupName: (id, name) => groupName({ id, name }),
  reasonWithAddresses: (reason, addresses) => `${reason}, ${addresses}`,
  asnReason: (asn, org) => (org ? `AS${asn} ${org}` : `AS${asn}`),
  nameReason: (asn, org) =>
    i18n.t('popup.badge.nameMatch', { network: org ? `AS${asn} ${org}` : `AS${asn}` }),
  prefixReason: (prefix) => i18n.t('popup.badge.prefix', { prefix }),
  confidence: (level) => i18n.t(`common.confidence.${level}`),
  andMore,
  list: (items) =>
    items.length <= 1
      ? items.join('')
      : i18n.t('popup.badge.and', {
          first: items.slice(0, -1).join(', '),
          last: items[items.length - 1]!,
        }),
};

export const PAGE_BADGE_WORDS: PageBadgeWords = {
  thirdParty: (site, count, total, hosts) =>
    i18n.t('popup.badge.thirdParty', count, { site, total: String(total), hosts }),
  groupHosts: (group, hosts) => `${group}: ${hosts}`,
  groupName: (id, name) => groupName({ id, name }),
  andMore,
};
