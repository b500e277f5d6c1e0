/**
 * AS numbers as users type them and as the watchlist stores them.
 * Numbers that never appear as an origin in public routing data are rejected with the reason, so a
 * watchlist entry can never silently match nothing because of a typo.
 */

export type ParseAsnResult = { ok: true; asn: number } | { ok: false; reason: string };

const MAX_ASN = 4294967295;

// IANA special-purpose AS numbers (iana.org/assignments/iana-as-numbers-special-registry).
const SPECIAL_RANGES: readonly { first: number; last: number; why: string }[] = [
  { first: 0, last: 0, why: 'is reserved (RFC 7607) and never originates routes' },
  {
    first: 23456,
    last: 23456,
    why: 'is AS_TRANS (RFC 6793), a placeholder for 4-byte AS numbers, not a real network',
  },
  { first: 64496, last: 64511, why: 'is reserved for documentation (RFC 5398)' },
  {
    first: 64512,
    last: 65534,
    why: 'is reserved for private use (RFC 6996) and never appears in public routing data',
  },
  { first: 65535, last: 65535, why: 'is reserved (RFC 7300)' },
  { first: 65536, last: 65551, why: 'is reserved for documentation (RFC 5398)' },
  { first: 65552, last: 131071, why: 'is reserved by IANA and not assigned to any network' },
  {
    first: 4200000000,
    last: 4294967294,
    why: 'is reserved for private use (RFC 6996) and never appears in public routing data',
  },
  { first: 4294967295, last: 4294967295, why: 'is reserved (RFC 7300)' },
];

/**
 * Checks that a number is an AS number a public network can hold.
 * Used for stored and imported values, which are numbers already.
 */
export function checkAsnNumber(value: unknown): ParseAsnResult {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return { ok: false, reason: `${describe(value)} is not a whole number` };
  }
  if (value < 0 || value > MAX_ASN) {
    return { ok: false, reason: `${value} is outside the AS number range 1–${MAX_ASN}` };
  }
  const special = SPECIAL_RANGES.find((r) => value >= r.first && value <= r.last);
  if (special) return { ok: false, reason: `AS${value} ${special.why}` };
  return { ok: true, asn: value };
}

/**
 * Parses an AS number as a person types it: `AS4134`, `as4134`, `AS 4134`, `4134`, surrounding
 * spaces allowed. The asdot form (`2.10`, RFC 5396) is accepted and means 2 × 65536 + 10 = 131082,
 * because routers and RIR records still print large AS numbers that way. Never throws.
 */
export function parseAsnInput(text: string): ParseAsnResult {
  if (typeof text !== 'string') return { ok: false, reason: 'enter an AS number such as AS4134' };
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: 'enter an AS number such as AS4134' };
  const shown = trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed;
  const match = /^(?:AS\s*)?(\d{1,10})(?:\.(\d{1,5}))?$/i.exec(trimmed);
  if (!match) {
    return { ok: false, reason: `'${shown}' is not an AS number (write it like AS4134 or 4134)` };
  }
  const high = Number(match[1]);
  if (match[2] === undefined) {
    if (high > MAX_ASN) {
      return { ok: false, reason: `'${shown}' is larger than the largest AS number, ${MAX_ASN}` };
    }
    return checkAsnNumber(high);
  }
  const low = Number(match[2]);
  if (high > 65535 || low > 65535) {
    return {
      ok: false,
      reason: `'${shown}' is not valid asdot: both parts must be 0–65535 (e.g. 2.10 = AS131082)`,
    };
  }
  return checkAsnNumber(high * 65536 + low);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
