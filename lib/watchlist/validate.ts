/**
 * Checks watchlists that come from outside the code: storage, an imported file, a message.
 * Every field is checked and the first problem is reported with the group and field it is in, e.g.
 * "group 2 'Foo': prefix '10.0.0.1/8' …". Nothing here throws and nothing is repaired by guessing.
 */
import { formatCidr, parseCidr } from '../ip/cidr';
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
  type Confidence,
  type WatchAsn,
  type WatchGroup,
  type Watchlist,
} from './model';

export { parseAsnInput, checkAsnNumber, type ParseAsnResult } from './asn';

export type ValidateWatchlistResult =
  { ok: true; watchlist: Watchlist } | { ok: false; reason: string };

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const GROUP_KEYS = ['id', 'name', 'code', 'enabled', 'builtin', 'asns', 'prefixes'];
const ASN_KEYS = ['asn', 'note', 'confidence', 'sources'];
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
  // eslint-disable-next-line no-control-regex -- control characters would garble the badge tooltip
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    return { ok: false, reason: `name ${show(name)} contains control characters` };
  }
  return { ok: true, value: name };
}

/**
 * Checks an untrusted value field by field and returns a clean copy (no extra fields, no shared
 * references with the input). Never throws.
 */
export function validateWatchlist(value: unknown): ValidateWatchlistResult {
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
  for (const [index, raw] of (value.groups as unknown[]).entries()) {
    const label = groupLabel(index, raw);
    const checked = validateGroup(raw);
    if (!checked.ok) return { ok: false, reason: `${label}: ${checked.reason}` };
    const group = checked.value;
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

function validateGroup(raw: unknown): Checked<WatchGroup> {
  if (!isRecord(raw)) return { ok: false, reason: 'must be an object' };
  const extra = Object.keys(raw).find((k) => !GROUP_KEYS.includes(k));
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
  for (const entry of raw.prefixes as unknown[]) {
    if (typeof entry !== 'string')
      return { ok: false, reason: `prefix ${show(entry)} is not text` };
    const parsed = parsePrefixInput(entry);
    if (!parsed.ok) return { ok: false, reason: `prefix ${parsed.reason}` };
    if (parsed.prefix !== entry) {
      return {
        ok: false,
        reason: `prefix '${entry}' is not in canonical form (write '${parsed.prefix}')`,
      };
    }
    if (prefixes.includes(parsed.prefix)) {
      return { ok: false, reason: `prefix '${entry}' is listed twice` };
    }
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
  const extra = Object.keys(raw).find((k) => !ASN_KEYS.includes(k));
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
  return name === undefined ? `group ${index + 1}` : `group ${index + 1} ${show(name)}`;
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
