/**
 * How one third-party host is judged: what its DoH evidence starts as (none needed where the
 * browser's connection is a usable witness), what is kept of an answer, and the verdict, built
 * exactly as the site's is (lib/verdict.ts).
 */
import type { DnsError } from '../../dns';
import { isAllowlisted, type Settings } from '../../settings';
import { buildVerdict, type PrefixLookup, type Verdict } from '../../verdict';
import { verdictInput, type DnsEvidence } from '../../verdict-input';
import type { CompiledWatchlist } from '../../watchlist/match';
import { initialDoh, isUsableWitness, literalAddress } from '../host-rules';
import type { DohState } from '../types';
import {
  MAX_ADDRESSES_PER_HOST,
  MAX_ALIAS_BYTES_PER_HOST,
  MAX_ALIASES_PER_HOST,
  MAX_ERROR_MESSAGE,
} from './limits';
import type { HostDoh, PageHostView, StoredHost } from './record';

/** A lookup that neither ran nor was refused (its work threw): the host must not look clean. */
export const LOOKUP_LOST: DnsError = {
  kind: 'network',
  message: 'the lookup was lost',
} as DnsError;

/** A host's DoH state as evidence for its verdict (lib/verdict-input.ts). */
export function hostDnsEvidence(doh: HostDoh): DnsEvidence {
  switch (doh.state) {
    case 'done':
      return { kind: 'answered', addresses: doh.addresses };
    case 'failed':
      return { kind: 'failed', error: doh.error };
    case 'pending':
      return { kind: 'awaited' };
    case 'skipped':
      switch (doh.why) {
        case 'over-limit':
        case 'queue-full':
          return {
            kind: 'browser-only',
            why: doh.why,
            message:
              'not looked up (too many of the page’s hosts at once), and the browser did not connect to it',
          };
        case 'privacy-mode':
        case 'private-name':
          return {
            kind: 'browser-only',
            why: doh.why,
            message: 'the browser did not connect to this host',
          };
        default:
          return { kind: 'not-needed' };
      }
  }
}

/**
 * Judges one host exactly as the site is judged: allowlist, IP literal, DoH answer or error, and
 * the browser's address, through the shared verdictInput and buildVerdict.
 */
export function judgeHost(
  host: StoredHost,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
  settings: Settings,
): PageHostView {
  const { doh } = host;
  const notLookedUp =
    doh.state === 'skipped' && (doh.why === 'over-limit' || doh.why === 'queue-full')
      ? doh.why
      : undefined;
  const literal = literalAddress(host.hostname);
  const verdict = buildVerdict(
    verdictInput(
      {
        hostname: host.hostname,
        allowlisted: isAllowlisted(host.hostname, settings.allowlist),
        ...(literal ? { literal } : {}),
      },
      hostDnsEvidence(doh),
      host.browserAddress !== undefined ? { browserAddress: host.browserAddress } : {},
    ),
    table,
    matcher,
  );
  return {
    hostname: host.hostname,
    requests: host.requests,
    checking: doh.state === 'pending',
    verdict,
    ...(host.omittedAddresses ? { omittedAddresses: host.omittedAddresses } : {}),
    ...(notLookedUp ? { notLookedUp } : {}),
  };
}

/**
 * How a host's DNS evidence starts: as the site's would (skipped for allowlisted, literal and
 * private names, and in privacy mode), except that a host whose connected address is a usable
 * witness is not looked up at all.
 */
export function hostDoh(
  hostname: string,
  ip: string | undefined,
  settings: Settings,
  table: PrefixLookup,
): HostDoh {
  const initial = initialDoh(hostname, settings);
  if (initial.state !== 'pending' || ip === undefined || !isUsableWitness(ip, table))
    return initial;
  return { state: 'skipped', why: 'connected' };
}

/** The host's connected address when it may stand in for a lookup (not a proxy's). */
export function witnessOf(host: StoredHost): string | undefined {
  return host.viaProxy ? undefined : host.browserAddress;
}

/** Everything besides the name that decides a lookup's outcome. */
export function lookupScope(settings: Settings): string {
  return JSON.stringify([settings.resolver, settings.privacyMode, settings.allowlist]);
}

export function rank(view: PageHostView): number {
  if (view.verdict.status === 'flagged') return 0;
  if (view.checking) return 2;
  if (view.verdict.status === 'unchecked') return 1;
  return 3;
}

/**
 * Caps what is kept of an answer: the addresses (those that decide the verdict first: flagged,
 * then with no row, so nothing flagged or unknown is lost) and the alias chain
 * (MAX_ALIASES_PER_HOST names, MAX_ALIAS_BYTES_PER_HOST of JSON).
 */
export function keptEvidence(
  hostname: string,
  doh: DohState,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
): Pick<StoredHost, 'doh' | 'omittedAddresses' | 'omittedAliases'> {
  if (doh.state === 'failed' && doh.error.message.length > MAX_ERROR_MESSAGE) {
    return {
      doh: {
        ...doh,
        error: { ...doh.error, message: doh.error.message.slice(0, MAX_ERROR_MESSAGE) },
      },
    };
  }
  if (doh.state !== 'done') return { doh };
  const aliases = keptAliases(doh.cnameChain);
  const omittedAliases = doh.cnameChain.length - aliases.length;
  const cut = omittedAliases > 0 ? { omittedAliases } : {};
  if (doh.addresses.length <= MAX_ADDRESSES_PER_HOST) {
    return { doh: { ...doh, cnameChain: aliases }, ...cut };
  }
  const verdict = buildVerdict({ hostname, dohAddresses: doh.addresses }, table, matcher);
  // Matched first, then those with no row in the table (one keeps the host from looking clean).
  const matched = (a: Verdict['addresses'][number]) => a.matches.length > 0;
  const noRow = (a: Verdict['addresses'][number]) => !matched(a) && a.lookup.kind === 'unrouted';
  const ranked = [
    ...verdict.addresses.filter(matched),
    ...verdict.addresses.filter(noRow),
    ...verdict.addresses.filter((a) => !matched(a) && !noRow(a)),
  ].map((a) => a.ip);
  return {
    doh: { ...doh, addresses: ranked.slice(0, MAX_ADDRESSES_PER_HOST), cnameChain: aliases },
    omittedAddresses: ranked.length - MAX_ADDRESSES_PER_HOST,
    ...cut,
  };
}

/** Whether the browser's connection to `ip` alone flags `hostname` (allowlist included). */
export function connectionStatus(
  hostname: string,
  ip: string,
  settings: Settings,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
): Verdict['status'] {
  const allowlisted = isAllowlisted(hostname, settings.allowlist);
  return buildVerdict({ hostname, allowlisted, browserAddress: ip }, table, matcher).status;
}

/** The first names of an alias chain, within MAX_ALIASES_PER_HOST and MAX_ALIAS_BYTES_PER_HOST. */
function keptAliases(chain: readonly string[]): string[] {
  const kept: string[] = [];
  let bytes = 0;
  for (const name of chain.slice(0, MAX_ALIASES_PER_HOST)) {
    bytes += JSON.stringify(name).length + 1;
    if (bytes > MAX_ALIAS_BYTES_PER_HOST) break;
    kept.push(name);
  }
  return kept;
}
