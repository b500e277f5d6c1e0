/**
 * "Likely (name match)": an AS the shipped watchlist does not know (in no built-in group, not an
 * excluded lookalike) whose registry name names a carrier specifically (carrier-names.ts, the
 * `likely` patterns, and no lookalike pattern) is taken as that carrier's network with LOW
 * confidence. Two uses:
 * - at lookup time, `likelyCarrierMatch` gives the verdict a match in the carrier's built-in group,
 *   only while that group is enabled;
 * - at update time, `findUnlistedCarrierNetworks` lists every such AS in a routing table, so the
 *   update summary can name the new ones for someone to research (lib/watchlist/RULES.md).
 * Pure: no browser globals. The result per AS is memoised, so a lookup costs one Map read.
 */
import { likelyCarrierIn, type CarrierName } from './carrier-names';
import { DEFAULT_WATCHLIST, EXCLUDED_LOOKALIKES, type ExcludedAsn } from './defaults';
import type { CompiledWatchlist } from './match';
import type { GroupMatch } from './model';

/** The built-in group of each carrier. */
export const CARRIER_GROUP_IDS: Readonly<Record<CarrierName, string>> = Object.freeze({
  'China Telecom': 'china-telecom',
  'China Mobile': 'china-mobile',
  'China Unicom': 'china-unicom',
});

/** What the release ships: the ASNs of its built-in groups (on or off) and its exclusions. */
export interface ShippedList {
  listedAsns: ReadonlySet<number>;
  excluded: readonly Pick<ExcludedAsn, 'asn' | 'orgInData'>[];
}

/** This release's shipped list. */
export const SHIPPED_LIST: ShippedList = {
  listedAsns: new Set(
    DEFAULT_WATCHLIST.groups.filter((g) => g.builtin).flatMap((g) => g.asns.map((a) => a.asn)),
  ),
  excluded: EXCLUDED_LOOKALIKES,
};

/** An AS that the shipped list does not know and whose name names a carrier. */
export interface UnlistedCarrierNetwork {
  asn: number;
  org: string;
  carrier: CarrierName;
}

/** Classifies one (AS, org) pair against a shipped list; memoised per AS. */
export interface NameClassifier {
  /** The carrier the AS is "likely (name match)" on, or null. */
  carrierOf(asn: number, org: string): CarrierName | null;
}

// More distinct ASNs than the routing data holds (about 91,000) would only come from a caller
// feeding arbitrary numbers; past this the memo starts again rather than grow.
const MEMO_LIMIT = 100_000;

/** A classifier for `shipped` (this release's list unless a test or tool passes its own). */
export function createNameClassifier(shipped: ShippedList = SHIPPED_LIST): NameClassifier {
  const excludedAsns = new Set(shipped.excluded.map((e) => e.asn));
  // The same company under a new AS number is no more the carrier's than under the old one.
  const excludedOrgs = new Set(shipped.excluded.map((e) => normalise(e.orgInData)));
  const memo = new Map<number, { org: string; carrier: CarrierName | null }>();
  return {
    carrierOf(asn, org) {
      const known = memo.get(asn);
      if (known && known.org === org) return known.carrier;
      const carrier =
        shipped.listedAsns.has(asn) || excludedAsns.has(asn) || excludedOrgs.has(normalise(org))
          ? null
          : likelyCarrierIn(org);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(asn, { org, carrier });
      return carrier;
    },
  };
}

const defaultClassifier = createNameClassifier();

/**
 * Every AS in `pairs` (AS number and org name, e.g. the rows of a routing table, repeats welcome)
 * that the shipped list does not know and whose org name names one carrier specifically, once
 * each (with the first org that did), in AS order. For the routing-data update's summary.
 */
export function findUnlistedCarrierNetworks(
  pairs: Iterable<{ asn: number; org: string }>,
  shipped: ShippedList = SHIPPED_LIST,
): UnlistedCarrierNetwork[] {
  // A classifier of its own: a whole table's 91,000 networks would otherwise stay in the lookups'
  // memo (with their names) for the worker's life, about 8 MiB.
  const classifier = createNameClassifier(shipped);
  const found = new Map<number, UnlistedCarrierNetwork>();
  for (const { asn, org } of pairs) {
    if (found.has(asn)) continue;
    const carrier = classifier.carrierOf(asn, org);
    if (carrier) found.set(asn, { asn, org, carrier });
  }
  return [...found.values()].sort((a, b) => a.asn - b.asn);
}

/** Longest org name quoted in a note; registry names can run to a paragraph. */
const NOTE_ORG_CHARS = 80;

/**
 * The match an address gets from its origin AS's name alone: in the carrier's built-in group, low
 * confidence, with a note saying it is a name match. Null when the AS is known to the shipped
 * list, its name does not name a carrier specifically, or the carrier's built-in group is not
 * enabled in `matcher` (which holds enabled groups only).
 */
export function likelyCarrierMatch(
  asn: number,
  org: string,
  matcher: Pick<CompiledWatchlist, 'groups'>,
  classifier: NameClassifier = defaultClassifier,
): GroupMatch | null {
  const carrier = classifier.carrierOf(asn, org);
  if (!carrier) return null;
  const id = CARRIER_GROUP_IDS[carrier];
  const group = matcher.groups.find((g) => g.builtin && g.id === id);
  if (!group) return null;
  const shown = org.length > NOTE_ORG_CHARS ? `${org.slice(0, NOTE_ORG_CHARS - 1)}…` : org;
  return {
    groupId: group.id,
    groupName: group.name,
    code: group.code,
    reason: { kind: 'name', asn },
    confidence: 'low',
    // The CLI's entry label says "(name match)" and the popup says it in the user's language;
    // this note, for the CLI's and the JSON output's readers, says why.
    note: `likely (name match): on no list, but its registry name "${shown}" names ${carrier}`,
  };
}

function normalise(org: string): string {
  return org.trim().replace(/\s+/g, ' ').toLowerCase();
}
