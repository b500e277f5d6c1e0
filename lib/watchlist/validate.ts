/**
 * Checks watchlists that come from outside the code: storage, an imported file, a message.
 * Every field is checked and the first problem is reported with the group and field it is in, e.g.
 * "group 2 'Foo': prefix '10.0.0.1/8' …". Nothing here throws and nothing is repaired by guessing.
 */
import { cidrContains, formatCidr, parseCidr } from '../ip/cidr';
import type { Cidr } from '../ip/types';
import { checkAsnNumber } from './asn';
import {
  CONFIDENCE_LEVELS,
  MAX_ASNS_PER_GROUP,
  MAX_GROUPS,
  MAX_NAME_LENGTH,
  MAX_NOTE_LENGTH,
  MAX_PREFIXES_PER_GROUP,
  MAX_SOURCE_LENGTH,
  MAX_SOURCES_PER_ASN,
  MAX_TOTAL_ASNS,
  MAX_TOTAL_PREFIXES,
  type Confidence,
  type WatchAsn,
  type WatchGroup,
  type Watchlist,
} from './model';

export { parseAsnInput, checkAsnNumber, type ParseAsnResult } from './asn';

export type ValidateWatchlistResult =
  { ok: true; watchlist: Watchlist } | { ok: false; reason: string };

export interface ValidateOptions {
  /**
   * Also refuse prefixes that can never be right (`checkPrefixUseful`): on for imports. Stored
   * settings skip it, so a prefix saved by an older release does not make them unreadable.
   */
  refuseUseless?: boolean;
}

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const GROUP_KEYS = new Set(['id', 'name', 'code', 'enabled', 'builtin', 'asns', 'prefixes']);
const ASN_KEYS = new Set(['asn', 'note', 'confidence', 'sources']);
const ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const CODE_PATTERN = /^[A-Z0-9]{2,3}$/;

/**
 * Parses prefix text as typed or stored and gives its canonical form. A bare address is refused
 * rather than read as /32 or /128: the user may have meant a whole network.
 */
export function parsePrefixInput(
  text: string,
): { ok: true; prefix: string; cidr: Cidr } | { ok: false; reason: string } {
  if (typeof text !== 'string' || !text.trim()) {
    return { ok: false, reason: 'enter a prefix such as 203.0.113.0/24 or 2001:db8::/32' };
  }
  const trimmed = text.trim();
  const shown = trimmed.length > 60 ? `${trimmed.slice(0, 60)}…` : trimmed;
  if (!trimmed.includes('/')) {
    return {
      ok: false,
      reason: `'${shown}' has no prefix length: write ${shown}/32 (IPv4) or /128 (IPv6) for a single address`,
    };
  }
  const parsed = parseCidr(trimmed);
  if (!parsed.ok) return { ok: false, reason: `'${shown}': ${parsed.reason}` };
  return { ok: true, prefix: formatCidr(parsed.cidr), cidr: parsed.cidr };
}

// Ranges no lookup ever reaches: CarrierFlag reports addresses in them as local and never matches
// them against the watchlist (lib/ip/classify.ts), so a watchlist prefix inside one is dead weight
// that only looks like protection. A unit test checks each against classifyIp.
const NEVER_LOOKED_UP: readonly { cidr: Cidr; what: string }[] = [
  ['0.0.0.0/8', '"this network" (0.0.0.0/8)'],
  ['10.0.0.0/8', 'a private network range (RFC 1918)'],
  ['100.64.0.0/10', 'the shared carrier-grade NAT range (RFC 6598)'],
  ['127.0.0.0/8', 'the loopback range (this computer)'],
  ['169.254.0.0/16', 'the link-local range'],
  ['172.16.0.0/12', 'a private network range (RFC 1918)'],
  ['192.0.0.0/24', 'the IETF protocol assignments range'],
  ['192.0.2.0/24', 'a documentation range (TEST-NET-1)'],
  ['192.88.99.0/24', 'the retired 6to4 relay range'],
  ['192.168.0.0/16', 'a private network range (RFC 1918)'],
  ['198.18.0.0/15', 'the benchmarking range'],
  ['198.51.100.0/24', 'a documentation range (TEST-NET-2)'],
  ['203.0.113.0/24', 'a documentation range (TEST-NET-3)'],
  ['224.0.0.0/4', 'the multicast range'],
  ['240.0.0.0/4', 'the reserved range 240.0.0.0/4'],
  ['::/96', 'the unspecified, loopback and IPv4-compatible range ::/96'],
  ['64:ff9b:1::/48', 'the local-use NAT64 range'],
  ['100::/64', 'the discard-only range'],
  ['2001:2::/48', 'the benchmarking range'],
  ['2001:db8::/32', 'the IPv6 documentation range'],
  ['3fff::/20', 'the IPv6 documentation range'],
  ['5f00::/16', 'the SRv6 SID range'],
  ['fc00::/7', 'the unique local (private) range'],
  ['fe80::/10', 'the link-local range'],
  ['fec0::/10', 'the retired site-local range'],
  ['ff00::/8', 'the multicast range'],
].map(([text, what]) => {
  const parsed = parseCidr(text!);
  if (!parsed.ok) throw new Error(`bad built-in range ${text}: ${parsed.reason}`);
  return { cidr: parsed.cidr, what: what! };
});

/** The special-purpose ranges a prefix can never usefully sit in, for tests and documentation. */
export const NEVER_LOOKED_UP_RANGES: readonly string[] = NEVER_LOOKED_UP.map((r) =>
  formatCidr(r.cidr),
);

/**
 * Refuses a prefix that can never be right in a watchlist: one that matches every address
 * (`0.0.0.0/0`, `::/0`), or one inside a range that is never looked up (private, loopback,
 * documentation, multicast …). Used for what a user types and what a file imports.
 */
export function checkPrefixUseful(cidr: Cidr): { ok: true } | { ok: false; reason: string } {
  const text = formatCidr(cidr);
  if (cidr.prefixLength === 0) {
    return {
      ok: false,
      reason: `${text} matches every ${cidr.address.family === 4 ? 'IPv4' : 'IPv6'} address, so every site would be flagged`,
    };
  }
  for (const range of NEVER_LOOKED_UP) {
    if (
      range.cidr.address.family === cidr.address.family &&
      range.cidr.prefixLength <= cidr.prefixLength &&
      cidrContains(range.cidr, cidr.address)
    ) {
      return {
        ok: false,
        reason: `${text} lies in ${range.what}: CarrierFlag never looks such addresses up (it shows them as local), so this prefix could never flag a site`,
      };
    }
  }
  return { ok: true };
}

/** Checks a badge code: 2–3 uppercase letters or digits. */
export function checkGroupCode(code: unknown): Checked<string> {
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) {
    return {
      ok: false,
      reason: `code ${show(code)} must be 2–3 uppercase letters or digits (e.g. CT)`,
    };
  }
  return { ok: true, value: code };
}

/** Checks a group's display name: non-empty, no surrounding spaces, at most 60 characters. */
export function checkGroupName(name: unknown): Checked<string> {
  if (typeof name !== 'string' || !name.trim()) {
    return { ok: false, reason: 'name must be a non-empty string' };
  }
  if (name !== name.trim())
    return { ok: false, reason: `name ${show(name)} has surrounding spaces` };
  if (name.length > MAX_NAME_LENGTH) {
    return { ok: false, reason: `name is longer than ${MAX_NAME_LENGTH} characters` };
  }
  const hidden = findHiddenCharacter(name);
  if (hidden !== null) {
    return {
      ok: false,
      reason: `name '${visible(name)}' contains ${hidden}: a name must look the same wherever it is shown`,
    };
  }
  return { ok: true, value: name };
}

/**
 * Checks an untrusted value field by field and returns a clean copy (no extra fields, no shared
 * references with the input). Never throws.
 */
export function validateWatchlist(
  value: unknown,
  options: ValidateOptions = {},
): ValidateWatchlistResult {
  if (!isRecord(value)) return { ok: false, reason: 'the watchlist must be an object' };
  if (!Array.isArray(value.groups))
    return { ok: false, reason: "the watchlist has no 'groups' list" };
  if (value.groups.length > MAX_GROUPS) {
    return { ok: false, reason: `more than ${MAX_GROUPS} groups` };
  }
  const groups: WatchGroup[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  const codes = new Set<string>();
  let totalAsns = 0;
  let totalPrefixes = 0;
  for (const [index, raw] of (value.groups as unknown[]).entries()) {
    const label = groupLabel(index, raw);
    const checked = validateGroup(raw, options);
    if (!checked.ok) return { ok: false, reason: `${label}: ${checked.reason}` };
    const group = checked.value;
    totalAsns += group.asns.length;
    totalPrefixes += group.prefixes.length;
    if (totalAsns > MAX_TOTAL_ASNS) {
      return { ok: false, reason: `more than ${MAX_TOTAL_ASNS} ASNs in all groups together` };
    }
    if (totalPrefixes > MAX_TOTAL_PREFIXES) {
      return {
        ok: false,
        reason: `more than ${MAX_TOTAL_PREFIXES} prefixes in all groups together`,
      };
    }
    if (ids.has(group.id)) return { ok: false, reason: `${label}: id '${group.id}' is used twice` };
    if (names.has(group.name.toLowerCase())) {
      return { ok: false, reason: `${label}: another group has the same name` };
    }
    if (codes.has(group.code)) {
      return {
        ok: false,
        reason: `${label}: code '${group.code}' is already used by another group`,
      };
    }
    ids.add(group.id);
    names.add(group.name.toLowerCase());
    codes.add(group.code);
    groups.push(group);
  }
  return { ok: true, watchlist: { groups } };
}

function validateGroup(raw: unknown, options: ValidateOptions): Checked<WatchGroup> {
  if (!isRecord(raw)) return { ok: false, reason: 'must be an object' };
  const extra = Object.keys(raw).find((k) => !GROUP_KEYS.has(k));
  if (extra !== undefined) return { ok: false, reason: `unknown field ${show(extra)}` };
  if (typeof raw.id !== 'string' || !ID_PATTERN.test(raw.id)) {
    return {
      ok: false,
      reason: `id ${show(raw.id)} must be 1–64 lowercase letters, digits and inner hyphens`,
    };
  }
  const name = checkGroupName(raw.name);
  if (!name.ok) return name;
  const code = checkGroupCode(raw.code);
  if (!code.ok) return code;
  if (typeof raw.enabled !== 'boolean')
    return { ok: false, reason: 'enabled must be true or false' };
  if (typeof raw.builtin !== 'boolean')
    return { ok: false, reason: 'builtin must be true or false' };
  if (!Array.isArray(raw.asns)) return { ok: false, reason: 'asns must be a list' };
  if (raw.asns.length > MAX_ASNS_PER_GROUP) {
    return { ok: false, reason: `more than ${MAX_ASNS_PER_GROUP} ASNs` };
  }
  if (!Array.isArray(raw.prefixes)) return { ok: false, reason: 'prefixes must be a list' };
  if (raw.prefixes.length > MAX_PREFIXES_PER_GROUP) {
    return { ok: false, reason: `more than ${MAX_PREFIXES_PER_GROUP} prefixes` };
  }
  const asns: WatchAsn[] = [];
  const seenAsns = new Set<number>();
  for (const [i, entry] of (raw.asns as unknown[]).entries()) {
    const checked = validateAsnEntry(entry);
    if (!checked.ok) return { ok: false, reason: `asns[${i}]: ${checked.reason}` };
    if (seenAsns.has(checked.value.asn)) {
      return { ok: false, reason: `AS${checked.value.asn} is listed twice` };
    }
    seenAsns.add(checked.value.asn);
    asns.push(checked.value);
  }
  const prefixes: string[] = [];
  const seenPrefixes = new Set<string>();
  for (const entry of raw.prefixes as unknown[]) {
    if (typeof entry !== 'string')
      return { ok: false, reason: `prefix ${show(entry)} is not text` };
    const parsed = parsePrefixInput(entry);
    if (!parsed.ok) return { ok: false, reason: `prefix ${parsed.reason}` };
    if (options.refuseUseless) {
      const useful = checkPrefixUseful(parsed.cidr);
      if (!useful.ok) return { ok: false, reason: `prefix ${useful.reason}` };
    }
    if (parsed.prefix !== entry) {
      return {
        ok: false,
        reason: `prefix '${entry}' is not in canonical form (write '${parsed.prefix}')`,
      };
    }
    if (seenPrefixes.has(parsed.prefix)) {
      return { ok: false, reason: `prefix '${entry}' is listed twice` };
    }
    seenPrefixes.add(parsed.prefix);
    prefixes.push(parsed.prefix);
  }
  return {
    ok: true,
    value: {
      id: raw.id,
      name: name.value,
      code: code.value,
      enabled: raw.enabled,
      builtin: raw.builtin,
      asns,
      prefixes,
    },
  };
}

function validateAsnEntry(raw: unknown): Checked<WatchAsn> {
  if (!isRecord(raw)) return { ok: false, reason: 'must be an object like {"asn": 4134}' };
  const extra = Object.keys(raw).find((k) => !ASN_KEYS.has(k));
  if (extra !== undefined) return { ok: false, reason: `unknown field ${show(extra)}` };
  const asn = checkAsnNumber(raw.asn);
  if (!asn.ok) return { ok: false, reason: `asn ${asn.reason}` };
  const entry: WatchAsn = { asn: asn.asn };
  if (raw.note !== undefined) {
    if (typeof raw.note !== 'string' || raw.note.length > MAX_NOTE_LENGTH) {
      return {
        ok: false,
        reason: `AS${asn.asn}: note must be text of at most ${MAX_NOTE_LENGTH} characters`,
      };
    }
    entry.note = raw.note;
  }
  if (raw.confidence !== undefined) {
    if (!CONFIDENCE_LEVELS.includes(raw.confidence as Confidence)) {
      return {
        ok: false,
        reason: `AS${asn.asn}: confidence ${show(raw.confidence)} must be 'high', 'medium' or 'low'`,
      };
    }
    entry.confidence = raw.confidence as Confidence;
  }
  if (raw.sources !== undefined) {
    const sources = raw.sources;
    if (
      !Array.isArray(sources) ||
      sources.length > MAX_SOURCES_PER_ASN ||
      !sources.every((s) => typeof s === 'string' && s.length > 0 && s.length <= MAX_SOURCE_LENGTH)
    ) {
      return {
        ok: false,
        reason: `AS${asn.asn}: sources must be a list of at most ${MAX_SOURCES_PER_ASN} non-empty texts`,
      };
    }
    entry.sources = [...(sources as string[])];
  }
  return { ok: true, value: entry };
}

function groupLabel(index: number, raw: unknown): string {
  const name = isRecord(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  return name === undefined ? `group ${index + 1}` : `group ${index + 1} '${visible(name)}'`;
}

function show(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
  }
  if (value === undefined) return 'missing';
  try {
    const text = JSON.stringify(value) ?? typeof value;
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return typeof value;
  }
}

/** True for a plain object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Characters that change how a name reads without being seen: controls, bidirectional overrides,
// embeddings, isolates and marks (which can make "ChinaTelecom" read as another name, or reorder
// the badge tooltip), zero-width characters and the soft hyphen.
const HIDDEN_CHARACTER =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/u;

/** Names the first hidden character in `text` ("a text-direction override (U+202E)"), or null. */
export function findHiddenCharacter(text: string): string | null {
  const found = HIDDEN_CHARACTER.exec(text);
  if (!found) return null;
  const code = found[0].codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `a control character (${hex})`;
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
    return `a text-direction override (${hex})`;
  }
  if (code === 0x200e || code === 0x200f || code === 0x061c)
    return `a text-direction mark (${hex})`;
  return `an invisible character (${hex})`;
}

/** The text with hidden characters replaced by their code point, safe to show in a message. */
function visible(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return shown.replace(
    new RegExp(HIDDEN_CHARACTER.source, 'gu'),
    (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}
