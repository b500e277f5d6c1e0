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
}

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

function addressLine(evidence: AddressEvidence): string {
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
  return `- ${evidence.ip} (from ${from}): ${carried}${network}${matched}`;
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
  const groups = verdict.groups.map((g) => g.name).join(', ');
  lines.push(
    `Verdict: ${verdict.status}${groups ? ` (${groups})` : ''}${report.final ? '' : ', still checking'}`,
  );
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
