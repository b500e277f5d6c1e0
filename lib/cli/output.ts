/** How `carrierflag` prints one target: a JSON line, or rows of an aligned table plus a verdict line. */
import { badgeFor, ENGLISH_BADGE_WORDS, type Verdict } from '../verdict';

/** The outcome for one target: a verdict, or why it could not even be looked up. */
export type TargetReport =
  | { target: string; verdict: Verdict; error?: undefined }
  | { target: string; verdict?: undefined; error: string };

export interface JsonAddress {
  ip: string;
  asn: number | null;
  org: string | null;
  carrier: string | null;
}

export interface JsonReport {
  target: string;
  status: Verdict['status'] | 'invalid';
  flagged: boolean;
  addresses: JsonAddress[];
  error?: string;
}

/** The JSON object printed for one target (`--json`). */
export function toJson(report: TargetReport): JsonReport {
  if (!report.verdict) {
    return {
      target: report.target,
      status: 'invalid',
      flagged: false,
      addresses: [],
      error: report.error,
    };
  }
  const v = report.verdict;
  const json: JsonReport = {
    target: report.target,
    status: v.status,
    flagged: v.status === 'flagged',
    addresses: v.addresses.map((a) => ({
      ip: a.ip,
      asn: a.lookup.kind === 'routed' ? a.lookup.asn : null,
      org: a.lookup.kind === 'routed' ? a.lookup.org : null,
      carrier: a.matches[0]?.groupName ?? null,
    })),
  };
  if (v.status === 'unchecked') json.error = v.problem ?? 'could not be checked';
  return json;
}

/** True when the target counts as "could not be checked" for the exit status. */
export function isUnchecked(report: TargetReport): boolean {
  return !report.verdict || report.verdict.status === 'unchecked';
}

const WIDTHS = { target: 28, ip: 24, as: 10, org: 34 };

/** Header row of the human-readable table. */
export function tableHeader(): string {
  return row('TARGET', 'IP', 'AS', 'ORG', 'CARRIER');
}

/** Table rows for one target (one per address) followed by its verdict line. */
export function toTableRows(report: TargetReport): string {
  const lines: string[] = [];
  if (!report.verdict) {
    lines.push(row(report.target, '-', '-', '-', '-'));
    lines.push(`  => could not be checked: ${report.error}`);
    return `${lines.join('\n')}\n`;
  }
  const v = report.verdict;
  if (v.addresses.length === 0) lines.push(row(report.target, '-', '-', '-', '-'));
  v.addresses.forEach((a, i) => {
    const routed = a.lookup.kind === 'routed' ? a.lookup : null;
    const as = routed ? `AS${routed.asn}` : a.lookup.kind === 'local' ? `(${a.lookup.scope})` : '-';
    const carrier = a.matches.map((m) => m.groupName).join(', ') || '-';
    lines.push(
      row(i === 0 ? report.target : '', a.ip, as, printable(routed?.org ?? '') || '-', carrier),
    );
  });
  const title = printable(badgeFor(v, ENGLISH_BADGE_WORDS).title.replace(/^CarrierFlag: /, ''));
  const mark = v.status === 'flagged' ? 'FLAGGED: ' : '';
  lines.push(`  => ${mark}${title}`);
  if (v.problem && v.status !== 'unchecked') lines.push(`     (note: ${v.problem})`);
  return `${lines.join('\n')}\n`;
}

function row(target: string, ip: string, as: string, org: string, carrier: string): string {
  return [
    pad(target, WIDTHS.target),
    pad(ip, WIDTHS.ip),
    pad(as, WIDTHS.as),
    pad(clip(org, WIDTHS.org - 1), WIDTHS.org),
    carrier,
  ]
    .join('')
    .trimEnd();
}

function pad(text: string, width: number): string {
  // A long cell still gets one space so columns never run together.
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

/** Org names come from third-party data: keep control characters (escape codes) off the terminal. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
