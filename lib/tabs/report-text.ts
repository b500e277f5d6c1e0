/**
 * The plain-text report of a tab's verdict ("Copy report", "Report a wrong result"). In English on
 * purpose, whatever the UI language: it is pasted into the project's issue tracker, where the
 * maintainers read it, and its field names stay searchable. Only the host name of the page goes in,
 * never its path or query, which may be private.
 */
import { displayText, displayValue } from '../display-text';
import { rangeToCidrs, formatCidr } from '../ip/cidr';
import { describeEmbeddedKind } from '../ip/embedded';
import { parseIp } from '../ip/parse';
import type { LookupResult, TableMeta } from '../prefix-table';
import type { TabReport } from './types';
import { watchedConnectionSentence, type AddressOrigin, type AddressEvidence } from '../verdict';
import { ISSUE_TRACKER_URL } from '../project';
import { browserNameAndMajor } from '../user-agent';
import type { PageHostsView } from './page-hosts';
import { flaggedHostsOf, pageHeadline, type PageHeadline } from './page-verdict';

/** The prefilled issue URL stays under this many characters (servers refuse longer ones). */
export const MAX_ISSUE_URL_LENGTH = 8000;

const ORIGIN_NAMES: Record<AddressOrigin, string> = {
  doh: 'DNS-over-HTTPS',
  browser: "browser's connection",
  literal: 'address in the URL',
};

export interface ReportContext {
  meta: TableMeta | null;
  /** The extension's version (manifest), when known. */
  extensionVersion?: string;
  /** The browser's user-agent string; the report keeps its name and major version only. */
  browser?: string;
  /**
   * The page's other hosts as the popup shows them, and whether the badge counts them: the verdict
   * line then says what the badge says (an amber page names its flagged hosts, listed first).
   */
  pageHosts?: PageHostsView | null;
  countThirdPartyHosts?: boolean;
}

/** Flagged hosts the report lists before it says "and N more". */
export const REPORT_MAX_FLAGGED_HOSTS = 20;

/**
 * The routed range of a lookup as CIDR text: "61.174.56.0/21, 61.174.64.0/22". Falls back to the
 * "start – end" range when it cannot be split into at most `maxPrefixes` prefixes.
 */
export function rangeAsCidr(lookup: LookupResult, maxPrefixes = 4): string | undefined {
  if (lookup.kind !== 'routed') return undefined;
  const first = parseIp(lookup.rangeStart);
  const last = parseIp(lookup.rangeEnd);
  const cidrs = first.ok && last.ok ? rangeToCidrs(first.address, last.address) : null;
  if (cidrs && cidrs.length > 0 && cidrs.length <= maxPrefixes) {
    return cidrs.map(formatCidr).join(', ');
  }
  return `${lookup.rangeStart} – ${lookup.rangeEnd}`;
}

/**
 * The publication date inside an ip-location-db version (`2.3.2026061719` → `2026-06-17`), or
 * undefined for sources whose version carries no date.
 */
export function tableDate(version: string): string | undefined {
  const match = /(20\d{2})(\d{2})(\d{2})\d{2}$/.exec(version);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

function addressLine(evidence: AddressEvidence, indent = ''): string {
  const { lookup } = evidence;
  const from = evidence.origins.map((o) => ORIGIN_NAMES[o]).join(', ');
  let network: string;
  switch (lookup.kind) {
    case 'routed':
      network = `AS${lookup.asn} ${lookup.org}, range ${rangeAsCidr(lookup) ?? ''}`;
      break;
    case 'unrouted':
      network = 'not routed';
      break;
    case 'local':
      network = `local (${lookup.scope}), not checked`;
      break;
    case 'invalid':
      network = `could not be looked up: ${lookup.reason}`;
      break;
  }
  const matches = evidence.matches.map((m) => {
    const entry =
      m.reason.kind === 'prefix'
        ? `prefix ${m.reason.prefix}`
        : m.reason.kind === 'name'
          ? `AS${m.reason.asn} not listed, likely (name match)`
          : `AS${m.reason.asn}`;
    const sure = m.confidence ? `, ${m.confidence} confidence` : '';
    return `${m.groupName} (${entry}${sure})`;
  });
  const matched = matches.length > 0 ? `; on the watchlist: ${matches.join(', ')}` : '';
  const carried = evidence.embedded
    ? `carries ${evidence.embedded.ipv4} (${describeEmbeddedKind(evidence.embedded.kind)}) -> `
    : '';
  return `${indent}- ${evidence.ip} (from ${from}): ${carried}${network}${matched}`;
}

/**
 * The verdict line, as the badge shows the page (pageHeadline): "Verdict: flagged (China Telecom)",
 * "Verdict: flagged, probably: …" for low-confidence entries only, or for an amber page how many of
 * its other hosts are flagged and what the site itself is.
 */
function verdictLine(report: TabReport, headline: PageHeadline): string {
  const { verdict } = report;
  const groups = verdict.groups.map((g) => g.name).join(', ');
  if (headline.kind === 'third-party') {
    const are = headline.flagged === 1 ? 'is' : 'are';
    return (
      `Verdict: ${headline.flagged} of ${headline.total} other hosts this page loads from ${are} ` +
      `flagged (${headline.groups.join(', ')}); the site itself: ${headline.siteStatus}`
    );
  }
  const status =
    headline.kind === 'probably-flagged'
      ? 'flagged, probably: low-confidence entries only'
      : verdict.status;
  return `Verdict: ${status}${groups ? ` (${groups})` : ''}${report.final ? '' : ', still checking'}`;
}

/** "Flagged hosts this page loads from:" and each with the addresses that matched. */
function flaggedHostLines(view: PageHostsView | null): string[] {
  const flagged = flaggedHostsOf(view);
  if (flagged.length === 0) return [];
  const lines = ['Flagged hosts this page loads from:'];
  for (const host of flagged.slice(0, REPORT_MAX_FLAGGED_HOSTS)) {
    const groups = host.verdict.groups.map((g) => g.name).join(', ');
    lines.push(`- ${host.hostname}: ${groups}`);
    for (const evidence of host.verdict.addresses) {
      if (evidence.matches.length > 0) lines.push(addressLine(evidence, '  '));
    }
  }
  if (flagged.length > REPORT_MAX_FLAGGED_HOSTS) {
    lines.push(`(and ${flagged.length - REPORT_MAX_FLAGGED_HOSTS} more flagged hosts)`);
  }
  return lines;
}

/**
 * The tab's verdict and its evidence as plain text, one fact per line. Every text from the data
 * (organisation names, alias targets, notes, proxy names, the data's source) goes in through
 * displayText (lib/display-text.ts): a bidirectional override shows as `\u202e`, it does not turn
 * the rest of the line around in the issue tracker.
 */
export function reportText(rawReport: TabReport, rawContext: ReportContext): string {
  const report = displayValue(rawReport);
  const context = displayValue(rawContext);
  const { verdict } = report;
  const lines = ['CarrierFlag report', `Site: ${report.hostname}`];
  const pageHosts = context.pageHosts ?? null;
  const headline = pageHeadline(report, pageHosts, context.countThirdPartyHosts ?? false);
  lines.push(verdictLine(report, headline));
  const hostLines = flaggedHostLines(pageHosts);
  // An amber page's evidence is its flagged hosts: they come first, the site's own addresses after.
  if (headline.kind === 'third-party') lines.push(...hostLines);
  if (verdict.problem)
    lines.push(
      `Problem: ${verdict.problem}${verdict.problemKind ? ` [${verdict.problemKind}]` : ''}`,
    );
  if (report.doh.state === 'done' && report.doh.cnameChain.length > 0) {
    lines.push(`Alias chain: ${[report.hostname, ...report.doh.cnameChain].join(' -> ')}`);
  }
  if (verdict.addresses.length > 0) {
    lines.push('Addresses:');
    for (const evidence of verdict.addresses) lines.push(addressLine(evidence));
  }
  if (report.omittedAddresses) {
    lines.push(`(${report.omittedAddresses} more DNS addresses not kept)`);
  }
  if (verdict.proxy) {
    const port = verdict.proxy.port === undefined ? '' : ` port ${verdict.proxy.port}`;
    lines.push(`Through a proxy: ${verdict.proxy.address}${port} (not judged)`);
  }
  if (verdict.watchedConnection) {
    const sentence = watchedConnectionSentence(verdict.watchedConnection);
    lines.push(`Connection: ${sentence} (DNS-over-HTTPS did not give this address)`);
  }
  if (report.rememberedConnection && report.browserAddress !== undefined) {
    lines.push(
      `No new connection seen (the page came from the browser's cache): ${report.browserAddress} is the site's last connection, remembered from an earlier visit within the hour`,
    );
  }
  if (report.noConnection) {
    lines.push("No connection seen: the page came from the browser's cache");
  }
  if (verdict.connectedElsewhere) {
    lines.push(`The browser connected to ${verdict.connectedElsewhere}, not among the DoH answers`);
  }
  if (headline.kind !== 'third-party') lines.push(...hostLines);
  const meta = context.meta;
  if (meta) {
    const date = tableDate(meta.sourceVersion);
    lines.push(`Data: ${meta.source} ${meta.sourceVersion}${date ? ` (${date})` : ''}`);
  } else {
    lines.push('Data: no prefix table loaded');
  }
  if (context.extensionVersion) lines.push(`Extension: ${context.extensionVersion}`);
  // Name and major version only: the full user-agent string describes the reporter's machine.
  if (context.browser) lines.push(`Browser: ${browserNameAndMajor(context.browser)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The issue tracker's "new issue" URL with a title and the report prefilled, under
 * MAX_ISSUE_URL_LENGTH: a report too long for it is cut at a line and says so.
 */
export function issueUrl(hostname: string, text: string, base = ISSUE_TRACKER_URL): string {
  const build = (body: string) => {
    const url = new URL(base);
    url.searchParams.set('title', `Wrong result for ${displayText(hostname)}`);
    url.searchParams.set('body', `${body}\nWhat is wrong, and what did you expect?\n`);
    return url.toString();
  };
  let url = build(text);
  if (url.length <= MAX_ISSUE_URL_LENGTH) return url;
  const lines = text.split('\n');
  const cut = '(report shortened: use "Copy report" and paste the whole of it)';
  while (lines.length > 1) {
    lines.pop();
    url = build(`${lines.join('\n')}\n${cut}\n`);
    if (url.length <= MAX_ISSUE_URL_LENGTH) return url;
  }
  return build(cut);
}
