/**
 * The toolbar badge for a page: the site's own verdict first (badgeFor in lib/verdict.ts), and when
 * the site itself is not flagged, how many of the hosts the page loads from are.
 */
import { displayValue } from '../display-text';
import type { Badge, TabReport } from './types';
import type { ThirdPartySummary } from './page-hosts';
import { showsThirdParties } from './page-verdict';

/** The tooltip's words for a page's other hosts; the worker passes the user's language. */
export interface PageBadgeWords {
  /** The site's own title, then how many of the page's other hosts are flagged, and which. */
  thirdParty(siteTitle: string, count: number, total: number, hosts: string): string;
  /** "China Telecom: a.test, b.test". */
  groupHosts(group: string, hosts: string): string;
  /** A group's name: a built-in group's (by its id) in the user's language, a custom one as typed. */
  groupName(id: string, name: string): string;
  andMore(shown: string, more: number): string;
}

export const ENGLISH_PAGE_BADGE_WORDS: PageBadgeWords = {
  thirdParty: (siteTitle, count, total, hosts) =>
    `${siteTitle}. But ${count} of the ${total} other hosts this page loads from ` +
    `${count === 1 ? 'is' : 'are'} on watched networks: ${hosts}`,
  groupHosts: (group, hosts) => `${group}: ${hosts}`,
  groupName: (_id, name) => name,
  andMore: (shown, more) => `${shown} and ${more} more`,
};

/** Amber, dark enough for the badge's white text: "the site is not flagged, some of its hosts are". */
export const BADGE_THIRD_PARTY_COLOR = '#b45f06';
/** Host names the tooltip lists per group before it says "and N more". */
const TITLE_MAX_HOSTS = 5;
/** The badge has room for three characters. */
const MAX_SHOWN_COUNT = 99;

/**
 * The badge for a tab: `site` (the site's own badge) unless the site's verdict is final and not
 * flagged, the option is on and some third-party hosts of the same page are flagged
 * (`showsThirdParties`, which the popup's headline asks too); then their
 * count on amber (`99+` beyond 99), with a title naming the groups and the hosts (through
 * displayText, lib/display-text.ts, like every text from the data).
 */
export function pageBadge(
  site: Badge,
  report: Pick<TabReport, 'hostname' | 'final' | 'verdict'>,
  summary: ThirdPartySummary | null,
  countThirdPartyHosts: boolean,
  words: PageBadgeWords,
): Badge {
  if (!showsThirdParties(report, summary, countThirdPartyHosts)) return site;
  const count = summary.flagged.length;
  return {
    text: count > MAX_SHOWN_COUNT ? `${MAX_SHOWN_COUNT}+` : String(count),
    color: BADGE_THIRD_PARTY_COLOR,
    title: words.thirdParty(
      site.title,
      count,
      summary.total,
      describeHosts(displayValue(summary.flagged), words),
    ),
  };
}

/** "China Telecom: a.test, b.test; China Mobile: c.test and 4 more". */
function describeHosts(flagged: ThirdPartySummary['flagged'], words: PageBadgeWords): string {
  const byGroup = new Map<string, string[]>();
  for (const host of flagged) {
    for (const group of host.groups) {
      const name = words.groupName(group.id, group.name);
      const hosts = byGroup.get(name) ?? [];
      hosts.push(host.hostname);
      byGroup.set(name, hosts);
    }
  }
  return [...byGroup]
    .map(([name, hosts]) => {
      const shown = hosts.slice(0, TITLE_MAX_HOSTS).join(', ');
      const listed =
        hosts.length > TITLE_MAX_HOSTS
          ? words.andMore(shown, hosts.length - TITLE_MAX_HOSTS)
          : shown;
      return words.groupHosts(name, listed);
    })
    .join('; ');
}
