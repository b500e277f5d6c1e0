/**
 * The toolbar badge for a page: the site's own verdict first (badgeFor in lib/verdict.ts), and when
 * the site itself is not flagged, how many of the hosts the page loads from are.
 */
import type { Badge, TabReport } from '../tab-monitor';
import type { ThirdPartySummary } from './page-hosts';

/** Amber, dark enough for the badge's white text: "the site is not flagged, some of its hosts are". */
export const BADGE_THIRD_PARTY_COLOR = '#b45f06';
/** Host names the tooltip lists per group before it says "and N more". */
const TITLE_MAX_HOSTS = 5;
/** The badge has room for three characters. */
const MAX_SHOWN_COUNT = 99;

/**
 * The badge for a tab: `site` (the site's own badge) unless the site's verdict is final and not
 * flagged, the option is on and some third-party hosts of the same page are flagged; then their
 * count on amber (`99+` beyond 99), with a title naming the groups and the hosts.
 */
export function pageBadge(
  site: Badge,
  report: Pick<TabReport, 'hostname' | 'final' | 'verdict'>,
  summary: ThirdPartySummary | null,
  countThirdPartyHosts: boolean,
): Badge {
  if (!countThirdPartyHosts || !summary || summary.siteHostname !== report.hostname) return site;
  if (!report.final || report.verdict.status === 'flagged') return site;
  const count = summary.flagged.length;
  if (count === 0) return site;
  const verb = count === 1 ? 'is' : 'are';
  return {
    text: count > MAX_SHOWN_COUNT ? `${MAX_SHOWN_COUNT}+` : String(count),
    color: BADGE_THIRD_PARTY_COLOR,
    title:
      `${site.title}. But ${count} of the ${summary.total} other hosts this page loads from ` +
      `${verb} on watched networks: ${describeHosts(summary.flagged)}`,
  };
}

/** "China Telecom: a.test, b.test; China Mobile: c.test and 4 more". */
function describeHosts(flagged: ThirdPartySummary['flagged']): string {
  const byGroup = new Map<string, string[]>();
  for (const host of flagged) {
    for (const group of host.groups) {
      const hosts = byGroup.get(group.name) ?? [];
      hosts.push(host.hostname);
      byGroup.set(group.name, hosts);
    }
  }
  return [...byGroup]
    .map(([name, hosts]) => {
      const shown = hosts.slice(0, TITLE_MAX_HOSTS).join(', ');
      const more =
        hosts.length > TITLE_MAX_HOSTS ? ` and ${hosts.length - TITLE_MAX_HOSTS} more` : '';
      return `${name}: ${shown}${more}`;
    })
    .join('; ');
}
