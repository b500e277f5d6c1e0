/** How `carrierflag` prints its targets: a JSON line each, or an aligned table with a verdict line each. */
import { describeEmbeddedKind, type EmbeddedKind } from '../ip/embedded';
import type { AddressScope } from '../ip/types';
import {
  badgeFor,
  ENGLISH_BADGE_WORDS,
  type AddressEvidence,
  watchedConnectionSentence,
  type BadgeWords,
  type ProblemKind,
  type Verdict,
} from '../verdict';
import { CONFIDENCE_LEVELS, type Confidence, type GroupMatch } from '../watchlist/model';
import { safeForTerminal } from './terminal-text';

/**
 * Why a target could not even be looked up: text that is no target at all ('invalid-target'), a
 * private name never sent to a resolver ('blocked-name'), or a fault of this command ('internal').
 */
export type TargetErrorKind = 'invalid-target' | 'blocked-name' | 'internal';

/** The outcome for one target: a verdict, or why it could not even be looked up. */
export type TargetReport =
  | {
      target: string;
      verdict: Verdict;
      /** CNAME targets followed from the target's host name, in order; none for an address. */
      aliases?: readonly string[];
      error?: undefined;
      errorKind?: undefined;
    }
  | {
      target: string;
      verdict?: undefined;
      aliases?: undefined;
      error: string;
      errorKind: TargetErrorKind;
    };

/**
 * `error.kind` in --json, a fixed word a script can sort by: the verdict's problem kind for a target
 * that could not be checked (lib/verdict.ts: 'no-such-name', 'resolver-unreachable', ...), or why
 * a target was not even looked up (TargetErrorKind).
 */
export type JsonErrorKind = ProblemKind | TargetErrorKind;

/**
 * Every `error.kind` --json can print, with what it means (the README lists the same): a Record,
 * so a new problem kind in lib/verdict.ts does not compile until it is described here.
 */
export const JSON_ERROR_KINDS: Readonly<Record<JsonErrorKind, string>> = {
  'invalid-target': 'not an address, host name or URL as written (refused before any lookup)',
  'blocked-name': 'a private or blocked name (localhost, *.lan, ...), never sent to the resolver',
  'no-such-name': 'the name does not exist or has no address (NXDOMAIN, no A/AAAA)',
  'lookup-failed': 'the resolver tried and failed (SERVFAIL, REFUSED)',
  'resolver-unreachable': 'the resolver did not answer (timeout, network error)',
  'resolver-broken':
    'the resolver answered with something unusable (HTTP error, not DNS, a redirect)',
  'not-seen-yet': 'nothing but a connection could tell, and there was none',
  proxy: 'the only address seen was a proxy’s (--har)',
  'lookup-unavailable': 'an address could not be looked up in the routing data',
  'not-in-table': 'a public address has no row in the routing data, so its network cannot be told',
  'from-cache': 'a cached page with no connection and none remembered (extension only)',
  'only-local': 'only local addresses, and DNS failed too (--har)',
  'no-addresses': 'no address at all',
  internal: 'a fault of this command (please report it)',
};

export interface JsonAddress {
  ip: string;
  /**
   * 'public' for an address that was looked up; otherwise the kind of local (special-purpose)
   * address, which is never looked up: 'private', 'loopback', 'link-local', 'shared' (carrier-grade
   * NAT), 'unique-local', 'documentation', ... (the classes of lib/ip/classify.ts). null when the
   * text is not an address at all.
   */
  scope: AddressScope | null;
  asn: number | null;
  org: string | null;
  /** The first matched group's name: kept for scripts written against the first format. */
  carrier: string | null;
  /** Every watchlist entry the address matched. */
  matches: JsonMatch[];
  /**
   * Only for an IPv6 address that carries an IPv4 address (NAT64, 6to4, Teredo): which form and
   * the IPv4 inside, which is what `scope`, `asn`, `org` and `matches` describe.
   */
  embedded?: { kind: EmbeddedKind; ipv4: string };
}

export interface JsonMatch {
  /** The group's name and badge code ("China Telecom", "CT"). */
  group: string;
  code: string;
  /**
   * What matched: "AS4134", "prefix 1.2.3.0/24" for a listed prefix, or "AS64500 (name match)" for an AS on no list whose registry name names the carrier (always low confidence).
   */
  entry: string;
  /** How sure the entry's claim is; null for a prefix (the list's own statement) or no rating. */
  confidence: Confidence | null;
  /** The entry's note for people; null when it has none. */
  note: string | null;
}

export interface JsonReport {
  target: string;
  status: Verdict['status'] | 'invalid';
  flagged: boolean;
  addresses: JsonAddress[];
  /**
   * When flagged: the strongest confidence among the matched entries ("low" means every match
   * rests on low-confidence entries only); null when not flagged or no match carries a rating.
   */
  confidence: Confidence | null;
  /** The CNAME chain from the target's host name to the name that held the addresses. */
  aliases: string[];
  /** Why the target is `invalid` or `unchecked`: a kind to sort by and a sentence for people. */
  error?: { kind: JsonErrorKind; message: string };
  /**
   * Only when the address the browser connected to (a HAR's serverIPAddress) is on a watched
   * network and DoH did not give it: the connection goes through that network, maybe a proxy's.
   * `sentence` says so in words: "your connection to this site goes through China Telecom's
   * network (it may be a proxy): 202.96.128.86".
   */
  watchedConnection?: { ip: string; groups: string[]; sentence: string };
}

/** The JSON object printed for one target (`--json`). */
export function toJson(report: TargetReport): JsonReport {
  if (!report.verdict) {
    return {
      target: report.target,
      status: 'invalid',
      flagged: false,
      addresses: [],
      confidence: null,
      aliases: [],
      error: { kind: report.errorKind, message: report.error },
    };
  }
  const v = report.verdict;
  const json: JsonReport = {
    target: report.target,
    status: v.status,
    flagged: v.status === 'flagged',
    addresses: v.addresses.map(jsonAddress),
    confidence: strongestConfidence(v),
    aliases: [...(report.aliases ?? [])],
  };
  if (v.status === 'unchecked') {
    json.error = {
      // Set with every problem (lib/verdict.ts); 'lookup-failed' only if a verdict ever lacks it.
      kind: v.problemKind ?? 'lookup-failed',
      message: v.problem ?? 'could not be checked',
    };
  }
  if (v.watchedConnection) {
    const { ip, groups } = v.watchedConnection;
    json.watchedConnection = {
      ip,
      groups: [...groups],
      sentence: watchedConnectionSentence(v.watchedConnection),
    };
  }
  return json;
}

function jsonAddress(a: AddressEvidence): JsonAddress {
  const json: JsonAddress = {
    ip: a.ip,
    scope: scopeOf(a),
    asn: a.lookup.kind === 'routed' ? a.lookup.asn : null,
    org: a.lookup.kind === 'routed' ? a.lookup.org : null,
    carrier: a.matches[0]?.groupName ?? null,
    matches: a.matches.map((m) => ({
      group: m.groupName,
      code: m.code,
      entry: entryLabel(m),
      confidence: m.confidence ?? null,
      note: m.note ?? null,
    })),
  };
  if (a.embedded) json.embedded = { kind: a.embedded.kind, ipv4: a.embedded.ipv4 };
  return json;
}

/**
 * How sure a flagged verdict is: the strongest rating among its matched entries, so "low" means
 * that nothing but low-confidence entries matched. null when not flagged or nothing is rated.
 */
export function strongestConfidence(verdict: Verdict): Confidence | null {
  if (verdict.status !== 'flagged') return null;
  const rated = allMatches(verdict).flatMap((m) => (m.confidence ? [m.confidence] : []));
  return CONFIDENCE_LEVELS.find((level) => rated.includes(level)) ?? null;
}

function allMatches(verdict: Verdict): GroupMatch[] {
  return verdict.addresses.flatMap((a) => a.matches);
}

function entryLabel(match: GroupMatch): string {
  switch (match.reason.kind) {
    case 'asn':
      return `AS${match.reason.asn}`;
    case 'name':
      return `AS${match.reason.asn} (name match)`;
    case 'prefix':
      return `prefix ${match.reason.prefix}`;
  }
}

function scopeOf(evidence: AddressEvidence): AddressScope | null {
  const { lookup } = evidence;
  if (lookup.kind === 'local') return lookup.scope;
  return lookup.kind === 'invalid' ? null : 'public';
}

/** True when the target counts as "could not be checked" for the exit status. */
export function isUnchecked(report: TargetReport): boolean {
  return !report.verdict || report.verdict.status === 'unchecked';
}

/** How many targets ended each way, for the line under the table. */
export interface Totals {
  flagged: number;
  clean: number;
  /** Looked up, but not judged: a local address, or a DNS or data problem. */
  unchecked: number;
  /** Not a target at all (refused before any lookup). */
  invalid: number;
  /** Only local (private, loopback, ...) addresses, which are never looked up. */
  local: number;
}

/** Totals with nothing counted yet. */
export function emptyTotals(): Totals {
  return { flagged: 0, clean: 0, unchecked: 0, invalid: 0, local: 0 };
}

/** Counts one report into `totals`. */
export function countReport(totals: Totals, report: TargetReport): void {
  if (!report.verdict) {
    totals.invalid++;
    return;
  }
  const { status } = report.verdict;
  if (status === 'flagged') totals.flagged++;
  else if (status === 'clean') totals.clean++;
  else if (status === 'local') totals.local++;
  else totals.unchecked++;
}

/**
 * The table's last line: "Totals: 5 targets, 1 flagged, 2 clean, 1 unchecked, 1 invalid" (", 1
 * local" only when a target had nothing but local addresses). It starts with a word, so a line
 * starting with a target or an address is always a table row.
 */
export function totalsLine(totals: Totals): string {
  const all = totals.flagged + totals.clean + totals.unchecked + totals.invalid + totals.local;
  const local = totals.local > 0 ? `, ${totals.local} local` : '';
  return (
    `Totals: ${all} ${all === 1 ? 'target' : 'targets'}, ${totals.flagged} flagged, ` +
    `${totals.clean} clean, ${totals.unchecked} unchecked, ${totals.invalid} invalid${local}\n`
  );
}

/** The tooltip's English words, without the confidence: the lines below the verdict give it. */
const CLI_WORDS: BadgeWords = { ...ENGLISH_BADGE_WORDS, confidence: () => '' };

const HEADER = ['TARGET', 'IP', 'AS', 'ORG', 'CARRIER'] as const;
type Cells = [target: string, ip: string, as: string, org: string, carrier: string];

/**
 * Widest a column grows: a longer cell is clipped (ORG, from third-party data) or overflows its
 * own row only (TARGET, which is the user's own text and must be shown whole).
 */
const MAX_WIDTH = { target: 48, org: 40 };
/** Spaces between columns. */
const GAP = 2;

/** The ORG cell of a local address: which kind it is, short enough for the column. */
const LOCAL_LABEL: Record<AddressScope, string> = {
  public: 'public',
  unspecified: 'local: unspecified (0.0.0.0/8, ::)',
  loopback: 'local: loopback (this computer)',
  private: 'local: private network',
  shared: 'local: carrier-grade NAT',
  'link-local': 'local: link-local',
  'unique-local': 'local: unique local (IPv6)',
  multicast: 'local: multicast',
  documentation: 'local: documentation only',
  benchmarking: 'local: benchmarking',
  reserved: 'local: reserved',
};

/** One target's table rows (one per address) and the lines under them (verdict, notes). */
interface ReportBlock {
  rows: Cells[];
  lines: string[];
}

/**
 * How many rows the table holds back so that its columns fit every one of them. A longer list is
 * printed as it goes once this many rows are in, its widths fixed from then on (see
 * `createTableWriter`): what is held is the rows' text only, so memory stays flat at any size.
 */
export const TABLE_BUFFER_ROWS = 10_000;

/**
 * The widest an IP or AS cell can be: a full IPv6 address (8 groups of 4 hex digits and 7 colons)
 * and `AS` with a 32-bit number. Past TABLE_BUFFER_ROWS these columns take these widths, so rows
 * not yet seen still line up.
 */
const WIDEST = { ip: 39, as: 12 };

type Widths = readonly [target: number, ip: number, as: number, org: number];

/**
 * Prints the table in pieces as reports arrive: `add` and `end` return the text to print now.
 * Up to TABLE_BUFFER_ROWS rows nothing is printed before `end`, and the columns fit every row, as
 * they always have. Past that the rows held so far are printed and the rest follow one target at a
 * time, with TARGET as wide as in the rows held (a longer target overflows its own row only, as one
 * over 48 characters always has), IP and AS at their widest (WIDEST) and ORG at its clipping width.
 */
export interface TableWriter {
  add(report: TargetReport): string;
  end(): string;
}

/** A table writer (see TableWriter); `bufferRows` is TABLE_BUFFER_ROWS unless a test says less. */
export function createTableWriter(bufferRows = TABLE_BUFFER_ROWS): TableWriter {
  let held: ReportBlock[] = [];
  let heldRows = 0;
  // Widest cell per column so far, header included: a running maximum, never a spread of all rows.
  const seen = HEADER.slice(0, 4).map((cell) => cell.length);
  let streaming: Widths | undefined;
  const fitted = (): Widths => [
    Math.min(MAX_WIDTH.target, seen[0] as number),
    seen[1] as number,
    seen[2] as number,
    Math.min(MAX_WIDTH.org, seen[3] as number),
  ];
  const flushHeld = (widths: Widths): string => {
    let text = renderLine([...HEADER], widths);
    for (const block of held) text += renderBlock(block, widths);
    held = [];
    return text;
  };
  return {
    add(report) {
      const block = toBlock(report);
      if (streaming) return renderBlock(block, streaming);
      held.push(block);
      heldRows += block.rows.length;
      for (const row of block.rows) {
        for (let column = 0; column < 4; column++) {
          const length = (row[column] as string).length;
          if (length > (seen[column] as number)) seen[column] = length;
        }
      }
      if (heldRows <= bufferRows) return '';
      const [target, ip, as] = fitted();
      streaming = [target, Math.max(ip, WIDEST.ip), Math.max(as, WIDEST.as), MAX_WIDTH.org];
      return flushHeld(streaming);
    },
    end() {
      return streaming ? '' : flushHeld(fitted());
    },
  };
}

/**
 * The human-readable table for all targets at once: column widths come from the rows, so IPv6
 * addresses and long names keep every column aligned. Under each target's rows, its verdict line.
 */
export function renderTable(reports: readonly TargetReport[]): string {
  const writer = createTableWriter();
  let text = '';
  for (const report of reports) text += writer.add(report);
  return text + writer.end();
}

/** One table line; the last column is not padded. */
function renderLine(cells: Cells, widths: Widths): string {
  let text = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as string;
    const w = widths[i as 0 | 1 | 2 | 3];
    if (w === undefined) {
      text += cell;
      continue;
    }
    const shown = i === 3 ? clip(cell, w) : cell;
    // A cell over its column's width (a long TARGET) still gets the gap: cells never run together.
    text += shown.length > w ? `${shown}${' '.repeat(GAP)}` : shown.padEnd(w + GAP);
  }
  return `${text.trimEnd()}\n`;
}

function renderBlock(block: ReportBlock, widths: Widths): string {
  let text = '';
  for (const row of block.rows) text += renderLine(row, widths);
  for (const line of block.lines) text += `${line}\n`;
  return text;
}

function toBlock(report: TargetReport): ReportBlock {
  const target = safeForTerminal(report.target);
  if (!report.verdict) {
    return {
      rows: [[target, '-', '-', '-', '-']],
      lines: [`  => could not be checked: ${safeForTerminal(report.error)}`],
    };
  }
  const v = report.verdict;
  const rows: Cells[] = v.addresses.map((a, i) => {
    const routed = a.lookup.kind === 'routed' ? a.lookup : null;
    // Org names come from third-party data (a downloaded table): never raw escape codes.
    const org =
      a.lookup.kind === 'local'
        ? LOCAL_LABEL[a.lookup.scope]
        : safeForTerminal(routed?.org ?? '').trim();
    const carrier = a.matches
      .map((m) => (m.confidence ? `${m.groupName} (${m.confidence})` : m.groupName))
      .join(', ');
    return [
      i === 0 ? target : '',
      a.ip,
      routed ? `AS${routed.asn}` : '-',
      org || '-',
      carrier || '-',
    ];
  });
  if (rows.length === 0) rows.push([target, '-', '-', '-', '-']);
  const lines: string[] = [];
  const title = safeForTerminal(badgeFor(v, CLI_WORDS).title.replace(/^CarrierFlag: /, ''));
  const mark = v.status === 'flagged' ? 'FLAGGED: ' : '';
  const confidence = strongestConfidence(v);
  lines.push(`  => ${mark}${title}${confidence ? ` - ${confidence} confidence` : ''}`);
  // The rows of such addresses show the IPv4 inside's network: say so under the verdict.
  for (const a of v.addresses) {
    if (a.embedded) lines.push(`     ${embeddedLine(a.ip, a.embedded)}`);
  }
  if (v.status === 'flagged') for (const line of confidenceLines(v)) lines.push(line);
  if (v.problem && v.status !== 'unchecked')
    lines.push(`     (note: ${safeForTerminal(v.problem)})`);
  if (report.aliases?.length) {
    lines.push(
      `     alias chain: ${[v.hostname, ...report.aliases].map(safeForTerminal).join(' -> ')}`,
    );
  }
  return { rows, lines };
}

/** "64:ff9b::ca60:8056 carries 202.96.128.86 (NAT64)". */
function embeddedLine(ip: string, embedded: { kind: EmbeddedKind; ipv4: string }): string {
  return `${safeForTerminal(ip)} carries ${embedded.ipv4} (${describeEmbeddedKind(embedded.kind)})`;
}

/**
 * Under a flagged verdict: one line per matched entry with its confidence and note, and, when only
 * low-confidence entries matched, a sentence that says the flag may be wrong.
 */
function confidenceLines(verdict: Verdict): string[] {
  const lines: string[] = [];
  const matches = allMatches(verdict);
  if (matches.length > 0 && matches.every((m) => m.confidence === 'low')) {
    lines.push(
      '     Low confidence: only watchlist entries marked low confidence matched, so this may be wrong.',
    );
  }
  const seen = new Set<string>();
  for (const m of matches) {
    const key = `${m.groupId} ${entryLabel(m)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rating = m.confidence ? `${m.confidence} confidence` : 'not rated';
    const note = m.note ? `: ${safeForTerminal(m.note)}` : '';
    lines.push(`     ${entryLabel(m)} (${m.groupName}, ${rating})${note}`);
  }
  return lines;
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
