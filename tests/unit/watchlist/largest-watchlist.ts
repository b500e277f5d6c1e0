/**
 * The largest watchlist the documented limits allow: the built-in groups, then custom groups up to
 * MAX_GROUPS holding MAX_TOTAL_ASNS ASNs and MAX_TOTAL_PREFIXES prefixes in all (the first custom
 * group at the per-group maximum), every prefix public, unique and of a different random length
 * spread. `scale` shrinks every custom group's share, for comparing the cost of 1× with 8×.
 * Shared by the unit tests and the e2e spec tests/e2e/watchlist-limits.spec.ts.
 */
import { formatCidr, parseCidr } from '../../../lib/ip/cidr';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import {
  MAX_ASNS_PER_GROUP,
  MAX_GROUPS,
  MAX_PREFIXES_PER_GROUP,
  MAX_TOTAL_ASNS,
  MAX_TOTAL_PREFIXES,
  type WatchGroup,
  type Watchlist,
} from '../../../lib/watchlist/model';
import { checkPrefixUseful } from '../../../lib/watchlist/validate';
import { seededRandom } from './fixtures';

/** First AS number used for generated entries: above every reserved range below 4200000000. */
export const FIRST_GENERATED_ASN = 200_000;

export function largestWatchlist(scale = 1): Watchlist {
  const random = seededRandom(20261201);
  const builtins = structuredClone(DEFAULT_WATCHLIST.groups) as WatchGroup[];
  const customCount = MAX_GROUPS - builtins.length;
  let asnsLeft = MAX_TOTAL_ASNS - builtins.reduce((n, g) => n + g.asns.length, 0);
  let prefixesLeft = MAX_TOTAL_PREFIXES - builtins.reduce((n, g) => n + g.prefixes.length, 0);
  const seenPrefixes = new Set<string>();
  let nextAsn = FIRST_GENERATED_ASN;
  const groups: WatchGroup[] = [...builtins];
  for (let i = 0; i < customCount; i++) {
    const groupsLeft = customCount - i;
    const asnShare =
      i === 0 ? Math.min(MAX_ASNS_PER_GROUP, asnsLeft) : Math.floor(asnsLeft / groupsLeft);
    const prefixShare =
      i === 0
        ? Math.min(MAX_PREFIXES_PER_GROUP, prefixesLeft)
        : Math.floor(prefixesLeft / groupsLeft);
    asnsLeft -= asnShare;
    prefixesLeft -= prefixShare;
    const asnCount = Math.floor(asnShare * scale);
    const prefixCount = Math.floor(prefixShare * scale);
    const asns = Array.from({ length: asnCount }, () => {
      const asn = nextAsn++;
      return { asn, note: `Example Net ${asn}`, confidence: 'low' as const };
    });
    const prefixes: string[] = [];
    while (prefixes.length < prefixCount) {
      const prefix = randomPublicPrefix(random);
      if (seenPrefixes.has(prefix)) continue;
      seenPrefixes.add(prefix);
      prefixes.push(prefix);
    }
    const code = `Z${i.toString(36).toUpperCase().padStart(2, '0')}`;
    groups.push({
      id: `custom-bulk-${i + 1}`,
      name: `Bulk group ${i + 1}`,
      code,
      enabled: true,
      builtin: false,
      asns,
      prefixes,
    });
  }
  return { groups };
}

/** A random public prefix in canonical form: IPv4 /8–/32 or IPv6 /16–/128. */
export function randomPublicPrefix(random: () => number): string {
  for (;;) {
    const word = () => Math.floor(random() * 4294967296) >>> 0;
    let text: string;
    if (random() < 0.5) {
      const length = 8 + Math.floor(random() * 25);
      text = `${ipv4(word())}/32`;
      text = mask(text, length);
    } else {
      const length = 16 + Math.floor(random() * 113);
      // 2000::/3, the global unicast space.
      const w0 = ((0x2 << 28) | (word() & 0x1fffffff)) >>> 0;
      text = mask(`${ipv6([w0, word(), word(), word()])}/128`, length);
    }
    const parsed = parseCidr(text);
    if (parsed.ok && checkPrefixUseful(parsed.cidr).ok) return text;
  }
}

function mask(hostPrefix: string, length: number): string {
  const parsed = parseCidr(hostPrefix);
  if (!parsed.ok) throw new Error(parsed.reason);
  const { address } = parsed.cidr;
  const keep = (w: number, bits: number) =>
    bits <= 0 ? 0 : bits >= 32 ? w : (w & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0;
  if (address.family === 4) {
    return formatCidr({
      address: { family: 4, value: keep(address.value, length) },
      prefixLength: length,
    });
  }
  const w = address.words;
  return formatCidr({
    address: {
      family: 6,
      words: [
        keep(w[0], length),
        keep(w[1], length - 32),
        keep(w[2], length - 64),
        keep(w[3], length - 96),
      ],
    },
    prefixLength: length,
  });
}

function ipv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function ipv6(words: readonly number[]): string {
  return words.map((w) => `${(w >>> 16).toString(16)}:${(w & 0xffff).toString(16)}`).join(':');
}
