/**
 * The popup's words for values that come from lib/ as codes (confidence levels, problem kinds,
 * address origins, lookup results), in the browser's language.
 */
import { i18n } from '#i18n';
import type { LookupResult } from '../../lib/prefix-table';
import type { AddressOrigin, ProblemKind } from '../../lib/verdict';
import type { Confidence } from '../../lib/watchlist/model';
import { scopeWords } from '../lib-words';

export function confidenceWords(level: Confidence | undefined): string {
  return level ? i18n.t(`common.confidence.${level}`) : i18n.t('popup.sentence.unstated');
}

/** What happened and what to do, for a site that could not be checked. */
export function problemHint(kind: ProblemKind | undefined): string {
  switch (kind) {
    case 'resolver-unreachable':
      return i18n.t('popup.problem.resolverUnreachable');
    case 'resolver-broken':
      return i18n.t('popup.problem.resolverBroken');
    case 'lookup-failed':
      return i18n.t('popup.problem.lookupFailed');
    case 'no-such-name':
      return i18n.t('popup.problem.noSuchName');
    case 'blocked-name':
      return i18n.t('popup.problem.blockedName');
    case 'not-seen-yet':
      return i18n.t('popup.problem.notSeenYet');
    case 'proxy':
      return i18n.t('popup.problem.proxy');
    case 'lookup-unavailable':
      return i18n.t('popup.problem.lookupUnavailable');
    case 'not-in-table':
      return i18n.t('popup.problem.notInTable');
    case 'from-cache':
      return i18n.t('popup.problem.fromCache');
    case 'only-local':
      return i18n.t('popup.problem.onlyLocal');
    case 'no-addresses':
    case undefined:
      return i18n.t('popup.problem.noAddresses');
  }
}

export function originWords(origin: AddressOrigin): string {
  switch (origin) {
    case 'doh':
      return i18n.t('popup.origin.doh');
    case 'browser':
      return i18n.t('popup.origin.browser');
    case 'literal':
      return i18n.t('popup.origin.literal');
  }
}

/** One phrase naming the network of an address ("AS4134 Chinanet", "not routed", …). */
export function networkWords(lookup: LookupResult): string {
  switch (lookup.kind) {
    case 'routed':
      return `AS${lookup.asn} ${lookup.org}`.trim();
    case 'unrouted':
      return i18n.t('popup.network.unrouted');
    case 'local':
      return i18n.t('popup.network.local', { scope: scopeWords(lookup.scope) });
    case 'invalid':
      return i18n.t('popup.network.unknown');
  }
}
