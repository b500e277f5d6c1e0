/**
 * What the popup's headline and the copied report say about a page, decided once so that they say
 * what the toolbar badge says (lib/tabs/badge.ts `pageBadge`, lib/verdict.ts `badgeFor`): a site
 * whose own addresses are clean but whose third parties are flagged (amber badge) is not headed "not
 * on a watched network", and a match that rests only on low-confidence entries (the badge's `?`) is
 * headed "probably". Codes and names only: the popup words them in the user's language, the report
 * in English.
 */
import type { TabReport } from './types';
import { restsOnLowConfidence, type AddressEvidence, type Verdict } from '../verdict';
import type { PageHostsView, PageHostView, ThirdPartySummary } from './page-hosts';

/** Why a low-confidence match is only "probably": the entry's own words, per matched network. */
export interface ProbableReason {
  /** The group (carrier) the entry is in, and its id (a built-in group's name is the locale's). */
  group: string;
  groupId?: string;
  /** The matched AS, when the entry is an ASN (always, for a low-confidence match today). */
  asn?: number;
  /** 'note': a listed entry at low confidence; 'name-match': an AS on no list, named like the carrier. */
  kind: 'note' | 'name-match';
  /** The entry's note ("China Networks Inter-Exchange, a network on address space …"), if any. */
  note?: string;
}

/** The page's headline, as the badge shows the page. */
export type PageHeadline =
  | { kind: 'checking'; host: string }
  /** `groups` are the groups' names (English for a built-in group), `groupIds` their ids. */
  | { kind: 'flagged'; host: string; groups: string[]; groupIds: string[] }
  | {
      kind: 'probably-flagged';
      host: string;
      groups: string[];
      groupIds: string[];
      why: ProbableReason[];
    }
  | {
      kind: 'third-party';
      host: string;
      /** The site's own verdict (not flagged: the badge would show it otherwise). */
      siteStatus: Exclude<Verdict['status'], 'flagged'>;
      /** How many of the page's other hosts are flagged, of how many. */
      flagged: number;
      total: number;
      /** The groups the flagged hosts are on, each once, in order of first appearance. */
      groups: string[];
      /** Their ids, in the same order, for words in the user's language. */
      groupIds: string[];
      /** The flagged hosts, in the order the host list shows them. */
      hosts: string[];
    }
  | { kind: 'clean' | 'local' | 'allowlisted' | 'unchecked'; host: string };

/** The badge's summary of a page's other hosts, from the popup's view of them. */
export function summaryOfView(view: PageHostsView): ThirdPartySummary {
  const judged = view.hosts;
  return {
    siteHostname: view.siteHostname,
    total: judged.length + view.overflowHosts,
    checking: judged.filter((h) => h.checking).length,
    flagged: judged
      .filter((h) => h.verdict.status === 'flagged')
      .map((h) => ({
        hostname: h.hostname,
        groups: h.verdict.groups.map((g) => ({ id: g.id, name: g.name, code: g.code })),
      })),
  };
}

/**
 * True when the badge shows the page's flagged third parties (amber) rather than the site's own
 * verdict: the option is on, the summary is this site's, the site's verdict is final and not
 * flagged, and at least one other host is flagged. `pageBadge` and `pageHeadline` both ask this.
 */
export function showsThirdParties(
  report: Pick<TabReport, 'hostname' | 'final' | 'verdict'>,
  summary: ThirdPartySummary | null,
  countThirdPartyHosts: boolean,
): summary is ThirdPartySummary {
  if (!countThirdPartyHosts || !summary || summary.siteHostname !== report.hostname) return false;
  if (!report.final || report.verdict.status === 'flagged') return false;
  return summary.flagged.length > 0;
}

/**
 * The headline for a tab: what its badge says, as codes and names. `hosts` is the popup's view of
 * the page's other hosts (null when none are recorded); `countThirdPartyHosts` the setting that
 * lets the badge count them.
 */
export function pageHeadline(
  report: Pick<TabReport, 'hostname' | 'final' | 'verdict'>,
  hosts: PageHostsView | null,
  countThirdPartyHosts: boolean,
): PageHeadline {
  const { verdict } = report;
  const host = report.hostname;
  const summary = hosts ? summaryOfView(hosts) : null;
  if (showsThirdParties(report, summary, countThirdPartyHosts)) {
    const groups: string[] = [];
    const groupIds: string[] = [];
    for (const flagged of summary.flagged) {
      for (const g of flagged.groups) {
        if (groups.includes(g.name)) continue;
        groups.push(g.name);
        groupIds.push(g.id);
      }
    }
    return {
      kind: 'third-party',
      host,
      siteStatus: verdict.status as Exclude<Verdict['status'], 'flagged'>,
      flagged: summary.flagged.length,
      total: summary.total,
      groups,
      groupIds,
      hosts: summary.flagged.map((h) => h.hostname),
    };
  }
  if (!report.final) return { kind: 'checking', host };
  const groups = verdict.groups.map((g) => g.name);
  const groupIds = verdict.groups.map((g) => g.id);
  if (verdict.status === 'flagged') {
    return restsOnLowConfidence(verdict)
      ? {
          kind: 'probably-flagged',
          host,
          groups,
          groupIds,
          why: probableReasons(verdict.addresses),
        }
      : { kind: 'flagged', host, groups, groupIds };
  }
  return { kind: verdict.status, host };
}

/** Each low-confidence entry behind a match once, in evidence order. */
export function probableReasons(addresses: readonly AddressEvidence[]): ProbableReason[] {
  const reasons: ProbableReason[] = [];
  for (const evidence of addresses) {
    for (const m of evidence.matches) {
      if (m.confidence !== 'low') continue;
      const asn = m.reason.kind === 'prefix' ? undefined : m.reason.asn;
      const kind = m.reason.kind === 'name' ? 'name-match' : 'note';
      if (reasons.some((r) => r.group === m.groupName && r.asn === asn && r.kind === kind))
        continue;
      reasons.push({
        group: m.groupName,
        groupId: m.groupId,
        kind,
        ...(asn !== undefined ? { asn } : {}),
        ...(m.note && kind === 'note' ? { note: m.note } : {}),
      });
    }
  }
  return reasons;
}

/** The flagged hosts of a view, in its order (flagged first already; see `getPageHosts`). */
export function flaggedHostsOf(view: PageHostsView | null): PageHostView[] {
  return view ? view.hosts.filter((h) => h.verdict.status === 'flagged') : [];
}
