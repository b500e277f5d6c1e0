/**
 * From the addresses a site resolved to, to one verdict: flagged, clean, local, unchecked or
 * allowlisted, with the evidence behind it. Shared by the CLI and the extension's worker so both
 * say exactly the same thing about the same addresses.
 */
import { displayValue } from './display-text';
import { classifyIpv4 } from './ip/classify';
import { embeddedIpv4, type EmbeddedKind } from './ip/embedded';
import { formatIp, formatIpv4, parseIp } from './ip/parse';
import type { IpAddress } from './ip/types';
import { plainLookup, type LookupResult } from './prefix-table';
import type { ProxyFact } from './proxy/types';
import type { CompiledWatchlist } from './watchlist/match';
import { likelyCarrierMatch } from './watchlist/name-match';
import type { Confidence, GroupMatch } from './watchlist/model';

/** Where an address came from: our DoH query, the connection the browser made, or the URL itself. */
export type AddressOrigin = 'doh' | 'browser' | 'literal';

export interface AddressEvidence {
  /** Canonical text when the input parsed, otherwise the input as given. */
  ip: string;
  origins: AddressOrigin[];
  lookup: LookupResult;
  matches: GroupMatch[];
  /**
   * Set when `ip` is an IPv6 address that carries an IPv4 address (NAT64, 6to4, Teredo; see
   * lib/ip/embedded.ts): `lookup` and `matches` are then those of `ipv4`, the host the data goes to.
   */
  embedded?: { kind: EmbeddedKind; ipv4: string };
}

export type VerdictStatus = 'flagged' | 'clean' | 'local' | 'unchecked' | 'allowlisted';

/**
 * Why a site could not be (fully) checked, for code: the popup turns it into a sentence with what to
 * do, in the user's language; `problem` keeps the technical detail (the CLI prints it).
 */
export type ProblemKind =
  /** The resolver did not answer: timeout, network error, cancelled. */
  | 'resolver-unreachable'
  /** The resolver answered with something unusable: HTTP error, not DNS, a redirect, a bad URL. */
  | 'resolver-broken'
  /** The resolver looked the name up and failed (SERVFAIL, REFUSED). */
  | 'lookup-failed'
  /** The name has no address in DNS (NXDOMAIN, no A/AAAA records). */
  | 'no-such-name'
  /** The name is never sent to a resolver (a blocked name). */
  | 'blocked-name'
  /** Only the browser's connection could tell (privacy mode, a private name) and none was seen. */
  | 'not-seen-yet'
  /** The only address seen was a proxy's. */
  | 'proxy'
  /** An address could not be looked up (unreadable, or no prefix table). */
  | 'lookup-unavailable'
  /**
   * A public address has no row in the prefix table (not in the routing data, or the data is too old
   * to know it): where it goes cannot be told, so the site is not called clean.
   */
  | 'not-in-table'
  /**
   * The page came from the browser's cache, so no connection was made, and none to this site was
   * remembered from an earlier visit: the address the page was first fetched from is unknown.
   */
  | 'from-cache'
  /** Only local addresses, yet DNS failed too. */
  | 'only-local'
  | 'no-addresses';

/** The problem kind of a DNS error kind (lib/dns/types.ts) or of the browser-only reasons. */
export function problemKindOfDnsError(kind: string): ProblemKind {
  switch (kind) {
    case 'timeout':
    case 'network':
    case 'aborted':
      return 'resolver-unreachable';
    case 'http-status':
    case 'content-type':
    case 'malformed':
    case 'redirect':
    case 'invalid-resolver':
      return 'resolver-broken';
    case 'servfail':
    case 'refused':
      return 'lookup-failed';
    case 'nxdomain':
    case 'nodata':
      return 'no-such-name';
    case 'blocked-name':
      return 'blocked-name';
    case 'privacy-mode':
    case 'private-name':
      return 'not-seen-yet';
    case 'from-cache':
      return 'from-cache';
    default:
      return 'resolver-broken';
  }
}

export interface Verdict {
  hostname: string;
  status: VerdictStatus;
  addresses: AddressEvidence[];
  /** Every matched group, each once, in the order first matched. */
  groups: { id: string; name: string; code: string }[];
  /** Why the site could not be (fully) checked, e.g. the DNS error message. */
  problem?: string;
  /** The same, for code (set whenever `problem` is): what the popup explains in words. */
  problemKind?: ProblemKind;
  /**
   * When `problem` is a DNS error's message: that error's kind (lib/dns/types.ts, or a browser-only
   * reason such as 'privacy-mode'), so the popup can give the detail in the user's language too.
   */
  problemDnsError?: string;
  /**
   * The proxy the browser's connection went through: a fact about the connection, looked up for
   * the popup but never judged, because its address is not the site's.
   */
  proxy?: ProxyFact & { lookup: LookupResult };
  /**
   * Set when, without a proxy, the browser connected to an address that is not among the DoH
   * answers (a CDN edge, location-based DNS, a stale answer): both addresses were judged.
   */
  connectedElsewhere?: string;
  /**
   * Set when the address the browser connected to is on a watched network but DNS-over-HTTPS did
   * not give it for the site (split horizon, a carrier CDN edge, a proxy): the connection itself
   * goes through that network. `groups` are the names of the groups it matched (in English for a
   * built-in group), `groupIds` their ids, in the same order, for words in the user's language.
   */
  watchedConnection?: { ip: string; groups: string[]; groupIds?: string[] };
}

export interface VerdictInput {
  hostname: string;
  dohAddresses?: readonly string[];
  browserAddress?: string;
  /** More addresses the browser connected to (a HAR file's serverIPAddress per request). */
  browserAddresses?: readonly string[];
  literal?: string;
  dnsError?: { kind: string; message: string };
  allowlisted?: boolean;
  /** The connection went through this proxy: `browserAddress` is then the proxy's, not the site's. */
  proxy?: ProxyFact;
  /**
   * The browser loaded the page without connecting (from its HTTP cache) and no earlier connection
   * to the site is known: the address it was first fetched from is unknown, so DoH alone can flag
   * the site but not call it clean (a split-horizon site answers DoH with a clean address). An IP
   * literal in the URL says where the page came from, so it is judged as ever.
   */
  notConnected?: boolean;
}

/** The one method of a prefix table a verdict needs; tests pass a small fake. */
export interface PrefixLookup {
  lookup(text: string): LookupResult;
}

/**
 * Builds the verdict. Rules, in order:
 * - allowlisted: nothing is looked up.
 * - flagged: any address (from any origin) is in an enabled group, by a listed ASN or prefix, or
 *   (an enabled built-in carrier group only) by a "likely (name match)" of an unlisted AS's
 *   registry name, at low confidence (lib/watchlist/name-match.ts).
 * - clean: at least one public address was looked up, none matched, and every public address has a
 *   row in the table. A public address with no row ("unrouted") is never taken for clean: the table
 *   cannot say whose network it is on, so the site is unchecked ('not-in-table') unless another
 *   address flags it. Nor is a page the browser loaded from its cache with no connection known
 *   (`notConnected`): unchecked ('from-cache') unless something flags it.
 * - local: every address is special-purpose (private, loopback, …) and DNS did not fail.
 * - unchecked: otherwise: no public address could be looked up, one has no row, or nothing
 *   connected. Never clean.
 * The same address from several origins is one piece of evidence listing every origin.
 * An IPv6 address that carries an IPv4 address (NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4,
 * Teredo: lib/ip/embedded.ts) is judged as that IPv4 address: it is looked up, matched against the
 * watchlist and classified (a private IPv4 inside makes it local), and `evidence.embedded` says so.
 * The IPv6 prefix itself is not judged at all: it names a way of getting there, not where the data
 * goes. A NAT64 translator sits in the visitor's own network (64:ff9b::/96 is not even routed on
 * the internet), and 6to4 and Teredo relays are anycast, run by whichever operator is nearest to the
 * visitor, so the prefix's origin network says something about the visitor's path, never the site.
 * Behind a proxy the browser's address is the proxy's: it is kept apart (`verdict.proxy`), and unless
 * it is on a watched network the verdict rests on DoH (and the URL) alone. A connected address on a
 * watched network is always judged, proxy or not, so it always flags; when DoH did not give it,
 * `verdict.watchedConnection` says the connection goes through that network.
 * Never throws.
 */
export function buildVerdict(
  input: VerdictInput,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
): Verdict {
  const hostname = input.hostname;
  if (input.allowlisted) return { hostname, status: 'allowlisted', addresses: [], groups: [] };

  const byKey = new Map<string, { evidence: AddressEvidence; address: IpAddress | null }>();
  const add = (text: string | undefined, origin: AddressOrigin): void => {
    if (typeof text !== 'string') return;
    const parsed = parseIp(text.trim());
    const key = parsed.ok ? formatIp(parsed.address) : text.trim();
    const known = byKey.get(key);
    if (known) {
      if (!known.evidence.origins.includes(origin)) known.evidence.origins.push(origin);
      return;
    }
    byKey.set(key, {
      evidence: {
        ip: key,
        origins: [origin],
        lookup: { kind: 'invalid', reason: '' },
        matches: [],
      },
      address: parsed.ok ? parsed.address : null,
    });
  };
  add(input.literal, 'literal');
  for (const ip of input.dohAddresses ?? []) add(ip, 'doh');
  // Behind a proxy the connected address is the proxy's, not the site's: it is set aside, unless it
  // is on a watched network. The connection then goes through that network whatever the site's
  // address, so it is judged (and flags) like any other: a proxy never explains a carrier away.
  const connected = [
    ...(input.browserAddress !== undefined ? [input.browserAddress] : []),
    ...(input.browserAddresses ?? []),
  ];
  for (const ip of connected) {
    if (!input.proxy || isOnWatchedNetwork(ip, table, matcher)) add(ip, 'browser');
  }
  if (input.proxy && input.browserAddress === undefined) {
    if (isOnWatchedNetwork(input.proxy.address, table, matcher))
      add(input.proxy.address, 'browser');
  }

  const addresses: AddressEvidence[] = [];
  const groups: Verdict['groups'] = [];
  let publicChecked = 0;
  /** The first public address with no row in the table (it matches listed prefixes only). */
  let noRow: AddressEvidence | undefined;
  let local = 0;
  let invalidReason: string | undefined;
  for (const { evidence, address } of byKey.values()) {
    const judged = judgedAddress(evidence, address, table);
    const lookup = evidence.lookup;
    if (judged && (lookup.kind === 'routed' || lookup.kind === 'unrouted')) {
      publicChecked++;
      if (lookup.kind === 'unrouted') noRow ??= evidence;
      evidence.matches = matcher.match(judged, lookup.kind === 'routed' ? lookup.asn : null);
      if (lookup.kind === 'routed') {
        // An AS on no list whose name names a carrier: "likely (name match)", low confidence.
        const likely = likelyCarrierMatch(lookup.asn, lookup.org, matcher);
        if (likely && !evidence.matches.some((m) => m.groupId === likely.groupId)) {
          evidence.matches.push(likely);
        }
      }
      for (const m of evidence.matches) {
        if (!groups.some((g) => g.id === m.groupId)) {
          groups.push({ id: m.groupId, name: m.groupName, code: m.code });
        }
      }
    } else if (lookup.kind === 'local') {
      local++;
    } else {
      invalidReason ??= `'${evidence.ip}' could not be looked up: ${
        lookup.kind === 'invalid' ? lookup.reason : 'not an IP address'
      }`;
    }
    addresses.push(evidence);
  }

  const verdict: Verdict = { hostname, status: 'unchecked', addresses, groups };
  if (input.proxy) {
    verdict.proxy = {
      ...input.proxy,
      lookup: plainLookup(safeLookup(table, input.proxy.address)),
    };
  } else if (input.dohAddresses?.length) {
    const elsewhere = addresses.find((a) => isOnlyFrom(a, 'browser'));
    if (elsewhere) verdict.connectedElsewhere = elsewhere.ip;
  }
  if (input.proxy || input.dohAddresses?.length) {
    const watched = addresses.find((a) => isOnlyFrom(a, 'browser') && a.matches.length > 0);
    if (watched) {
      const seen = new Map(watched.matches.map((m) => [m.groupId, m.groupName]));
      verdict.watchedConnection = {
        ip: watched.ip,
        groups: [...seen.values()],
        groupIds: [...seen.keys()],
      };
    }
  }
  if (input.dnsError) {
    verdict.problem = input.dnsError.message;
    verdict.problemKind = problemKindOfDnsError(input.dnsError.kind);
    verdict.problemDnsError = input.dnsError.kind;
  }
  if (groups.length > 0) verdict.status = 'flagged';
  else if (noRow) {
    // Decisive over a DNS error: the address that was seen is the one that could not be judged.
    verdict.problem = `${noRowText(noRow)} is not in the routing data, so its network cannot be told`;
    verdict.problemKind = 'not-in-table';
    delete verdict.problemDnsError;
  } else if (publicChecked > 0 && input.notConnected && input.literal === undefined) {
    verdict.problem = NOT_CONNECTED_PROBLEM;
    verdict.problemKind = 'from-cache';
    delete verdict.problemDnsError;
  } else if (publicChecked > 0) verdict.status = 'clean';
  else if (addresses.length > 0 && local === addresses.length && !input.dnsError) {
    verdict.status = 'local';
  } else if (verdict.problem === undefined) {
    if (input.proxy && addresses.length === 0) {
      verdict.problem = proxyProblem(input.proxy);
      verdict.problemKind = 'proxy';
    } else if (invalidReason !== undefined) {
      verdict.problem = invalidReason;
      verdict.problemKind = 'lookup-unavailable';
    } else if (local > 0) {
      verdict.problem = 'only local addresses were found';
      verdict.problemKind = 'only-local';
    } else {
      verdict.problem = 'no addresses were found';
      verdict.problemKind = 'no-addresses';
    }
  }
  return verdict;
}

/**
 * The sentence for `verdict.watchedConnection`, in English (the CLI, the copied report): "your
 * connection to this site goes through China Telecom's network (it may be a proxy): 202.96.128.86".
 * The popup says the same in the user's language (popup.watchedConnection).
 */
export function watchedConnectionSentence(watched: {
  ip: string;
  groups: readonly string[];
}): string {
  return `your connection to this site goes through ${englishList(watched.groups)}'s network (it may be a proxy): ${watched.ip}`;
}

/**
 * Whether `ip` is on an enabled watched network (by ASN, prefix or a carrier name match), judged
 * exactly as buildVerdict judges an address. The proxy rules use it: a watched address is never set
 * aside as a proxy's, and a site whose DoH answer is watched says nothing about proxies.
 */
export function isOnWatchedNetwork(
  ip: string,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
): boolean {
  return buildVerdict({ hostname: '', browserAddress: ip }, table, matcher).status === 'flagged';
}

/**
 * Looks the evidence up (sets `evidence.lookup`, and `evidence.embedded` for an IPv6 address that
 * carries an IPv4 one) and returns the address its watchlist matches are for: the IPv4 inside when
 * there is one, else the address itself; null when the text is not an address.
 */
function judgedAddress(
  evidence: AddressEvidence,
  address: IpAddress | null,
  table: PrefixLookup,
): IpAddress | null {
  const embedded = address ? embeddedIpv4(address) : null;
  if (!embedded) {
    // Verdicts are stored in storage.session (structured clone): keep every field an own property.
    evidence.lookup = plainLookup(safeLookup(table, evidence.ip));
    return address;
  }
  const ipv4 = formatIpv4(embedded.ipv4);
  evidence.embedded = { kind: embedded.kind, ipv4 };
  // Classified here rather than left to the table, so that 64:ff9b::10.0.0.1 is local by the same
  // rules as 10.0.0.1 whatever table is passed, and never looked up as a public address.
  const scope = classifyIpv4(embedded.ipv4);
  evidence.lookup =
    scope === 'public' ? plainLookup(safeLookup(table, ipv4)) : { kind: 'local', scope };
  return { family: 4, value: embedded.ipv4 };
}

function isOnlyFrom(evidence: AddressEvidence, origin: AddressOrigin): boolean {
  return evidence.origins.length === 1 && evidence.origins[0] === origin;
}

/** Why a page the browser served from its cache, with no connection known, is unchecked. */
export const NOT_CONNECTED_PROBLEM =
  "the page came from the browser's cache and no connection to the site was seen, so where it was fetched from is unknown";

/** "203.0.113.7" or, for an address that carries one, "64:ff9b::cb00:7107 (203.0.113.7)". */
function noRowText(evidence: AddressEvidence): string {
  return evidence.embedded ? `${evidence.ip} (${evidence.embedded.ipv4})` : evidence.ip;
}

/** Why a site seen only through a proxy is unchecked (privacy mode, or no DoH answer). */
function proxyProblem(proxy: ProxyFact): string {
  return `the connection went through a proxy (${proxy.address}), so the site's own address was not seen`;
}

function safeLookup(table: PrefixLookup, ip: string): LookupResult {
  try {
    return table.lookup(ip);
  } catch (error) {
    return {
      kind: 'invalid',
      reason: `lookup failed: ${(error as Error)?.message ?? String(error)}`,
    };
  }
}

export const BADGE_FLAGGED_COLOR = '#d93025';
/**
 * Purple, for a match that rests only on low-confidence entries: set apart from the sure red and
 * the third-party amber, and dark enough for the badge's white text (8.2:1). The badge's `?` after
 * the code says the same without colour.
 */
export const BADGE_PROBABLE_COLOR = '#7b1fa2';
export const BADGE_NEUTRAL_COLOR = '#5f6368';

/** How many addresses a tooltip names per reason before it says "and N more". */
const TITLE_MAX_IPS = 3;

/**
 * The words of the toolbar tooltip. The worker passes the user's language (i18n); the CLI and tests
 * pass ENGLISH_BADGE_WORDS. Kept here, not in locales/, because lib/ never touches browser APIs.
 */
export interface BadgeWords {
  flagged(host: string, groups: string): string;
  /** Flagged, but only by low-confidence entries (see `restsOnLowConfidence`). */
  probablyFlagged(host: string, groups: string): string;
  /** `problem` is lib's English detail; `kind` says the same for words in another language. */
  unchecked(host: string, problem: string, kind: ProblemKind | undefined): string;
  local(host: string): string;
  allowlisted(host: string): string;
  clean(host: string): string;
  checking(host: string): string;
  /** "China Telecom (AS4134 Chinanet, high confidence, 202.96.128.86)". */
  group(name: string, details: string): string;
  /** A group's name: a built-in group's (by its id) in the user's language, a custom one as typed. */
  groupName(id: string, name: string): string;
  /** A reason followed by its addresses. */
  reasonWithAddresses(reason: string, addresses: string): string;
  asnReason(asn: number, org: string): string;
  /** An AS on no list whose registry name names the carrier: "AS1 Org, likely (name match)". */
  nameReason(asn: number, org: string): string;
  prefixReason(prefix: string): string;
  /** '' leaves the confidence out (the CLI prints it on lines of its own). */
  confidence(level: Confidence): string;
  /** "a, b and 3 more". */
  andMore(shown: string, more: number): string;
  /** "a, b and c". */
  list(items: readonly string[]): string;
}

/** "a", "a and b", "a, b and c". */
export function englishList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export const ENGLISH_BADGE_WORDS: BadgeWords = {
  flagged: (host, groups) => `CarrierFlag: ${host} is on ${groups}`,
  probablyFlagged: (host, groups) =>
    `CarrierFlag: ${host} is probably on ${groups}; only low-confidence entries match`,
  unchecked: (host, problem) => `CarrierFlag: ${host} could not be checked: ${problem}`,
  local: (host) => `CarrierFlag: ${host} is on a local network (not checked)`,
  allowlisted: (host) => `CarrierFlag: ${host} is on your allowlist (not checked)`,
  clean: (host) => `CarrierFlag: ${host} is not on a watched network`,
  checking: (host) => `CarrierFlag: checking ${host}…`,
  group: (name, details) => `${name} (${details})`,
  groupName: (_id, name) => name,
  reasonWithAddresses: (reason, addresses) => `${reason}, ${addresses}`,
  asnReason: (asn, org) => (org ? `AS${asn} ${org}` : `AS${asn}`),
  nameReason: (asn, org) => `${org ? `AS${asn} ${org}` : `AS${asn}`}, likely (name match)`,
  prefixReason: (prefix) => `prefix ${prefix}`,
  confidence: (level) => `${level} confidence`,
  andMore: (shown, more) => `${shown} and ${more} more`,
  list: englishList,
};

/**
 * True when the verdict is flagged and every watchlist match behind it is a low-confidence one (a
 * low entry, or a "likely (name match)"): the site is probably, not surely, on a watched network.
 * A match with no confidence stated (a listed prefix, an entry of the user's own) is the user's own
 * statement and counts as sure.
 */
export function restsOnLowConfidence(verdict: Pick<Verdict, 'status' | 'addresses'>): boolean {
  if (verdict.status !== 'flagged') return false;
  const matches = verdict.addresses.flatMap((a) => a.matches);
  return matches.length > 0 && matches.every((m) => m.confidence === 'low');
}

/**
 * The toolbar badge for a verdict: the group's code on red when flagged ('!' when several groups
 * match), the code and a `?` on purple when the match rests only on low-confidence entries, '?' on grey when it could not be checked, empty otherwise. The title names every matched
 * group, why, and how sure the matched watchlist entry is, in `words`. Text from the data (organisation
 * names, host names, group names, the problem) goes in through displayText (lib/display-text.ts).
 */
export function badgeFor(
  rawVerdict: Verdict,
  words: BadgeWords,
): { text: string; color: string; title: string } {
  const verdict = displayValue(rawVerdict);
  const host = verdict.hostname;
  switch (verdict.status) {
    case 'flagged': {
      const [only] = verdict.groups;
      const text = verdict.groups.length === 1 && only ? only.code : '!';
      if (restsOnLowConfidence(verdict)) {
        return {
          text: `${text}?`,
          color: BADGE_PROBABLE_COLOR,
          title: words.probablyFlagged(host, describeGroups(verdict, words)),
        };
      }
      return {
        text,
        color: BADGE_FLAGGED_COLOR,
        title: words.flagged(host, describeGroups(verdict, words)),
      };
    }
    case 'unchecked':
      return {
        text: '?',
        color: BADGE_NEUTRAL_COLOR,
        title: words.unchecked(
          host,
          verdict.problem ?? 'no addresses were found',
          verdict.problemKind,
        ),
      };
    case 'local':
      return { text: '', color: BADGE_NEUTRAL_COLOR, title: words.local(host) };
    case 'allowlisted':
      return { text: '', color: BADGE_NEUTRAL_COLOR, title: words.allowlisted(host) };
    case 'clean':
      return { text: '', color: BADGE_NEUTRAL_COLOR, title: words.clean(host) };
  }
}

/** "China Telecom (AS4134 Chinanet, high confidence, 202.96.128.86) and China Unicom (prefix …, …)". */
function describeGroups(verdict: Verdict, words: BadgeWords): string {
  const parts = verdict.groups.map((group) => {
    // Reason text → addresses with that reason, in evidence order.
    const reasons = new Map<string, string[]>();
    for (const evidence of verdict.addresses) {
      for (const m of evidence.matches) {
        if (m.groupId !== group.id) continue;
        const label = reasonLabel(m, evidence.lookup, words);
        const ips = reasons.get(label) ?? [];
        // "64:ff9b::ca60:8056 (202.96.128.86)": the matched entry is the IPv4 inside's.
        ips.push(evidence.embedded ? `${evidence.ip} (${evidence.embedded.ipv4})` : evidence.ip);
        reasons.set(label, ips);
      }
    }
    const detail = [...reasons]
      .map(([label, ips]) => {
        const shown = ips.slice(0, TITLE_MAX_IPS).join(', ');
        const listed =
          ips.length > TITLE_MAX_IPS ? words.andMore(shown, ips.length - TITLE_MAX_IPS) : shown;
        return words.reasonWithAddresses(label, listed);
      })
      .join('; ');
    return words.group(words.groupName(group.id, group.name), detail);
  });
  return words.list(parts);
}

/** The matched entry: "AS4134 Chinanet, high confidence" or "prefix 198.51.100.0/24". */
function reasonLabel(match: GroupMatch, lookup: LookupResult, words: BadgeWords): string {
  if (match.reason.kind === 'prefix') return words.prefixReason(match.reason.prefix);
  const org = lookup.kind === 'routed' && lookup.asn === match.reason.asn ? lookup.org : '';
  const asn =
    match.reason.kind === 'name'
      ? words.nameReason(match.reason.asn, org)
      : words.asnReason(match.reason.asn, org);
  const sure = match.confidence ? words.confidence(match.confidence) : '';
  return sure ? `${asn}, ${sure}` : asn;
}
