/**
 * Words, in the browser's language, for what lib/ gives as codes: built-in group ids, address
 * scopes, problem kinds and DNS error kinds (locales/, `words.*`). lib/ keeps its English text for
 * the CLI and the copied report (lib/tabs/report-text.ts), which stay English for the maintainers;
 * the popup, the settings page and the toolbar tooltip word the codes here, so a German or Chinese
 * page is German or Chinese throughout (issue 20 §4).
 */
import { i18n } from '#i18n';
import { isoDay } from '../lib/data-update/dates';
import type { LastUpdateAttempt, LastUpdateCode } from '../lib/data-update/service';
import type { AddressScope } from '../lib/ip/types';
import type { ProblemKind } from '../lib/verdict';
import { builtinGroupId, type BuiltinGroupId } from '../lib/watchlist/defaults';
import type { WatchlistRefusal } from '../lib/watchlist/model';

/**
 * Whether the messages in use are English (`words.language`: the language the locale file is
 * written in, not the browser's, which may be one we have no locale for and fall back to English).
 * Text lib/ writes only in English (a built-in entry's research note, a DNS error's message) is
 * shown as it is in English and replaced by coded words otherwise.
 */
export function speaksEnglish(): boolean {
  return i18n.t('words.language') === 'en';
}

/**
 * A group's name: a built-in group as the carrier names itself in the user's language (中国电信
 * for China Telecom), a group the user made exactly as they typed it.
 */
export function groupName(group: { id: string; name: string }): string {
  const builtin = builtinGroupId(group.id);
  return builtin ? builtinGroupWords(builtin) : group.name;
}

/** groupName for a match or a page-host group: the same, from its `groupId` and `groupName`. */
export function matchGroupName(match: { groupId: string; groupName: string }): string {
  return groupName({ id: match.groupId, name: match.groupName });
}

function builtinGroupWords(id: BuiltinGroupId): string {
  switch (id) {
    case 'china-telecom':
      return i18n.t('words.group.chinaTelecom');
    case 'china-mobile':
      return i18n.t('words.group.chinaMobile');
    case 'china-unicom':
      return i18n.t('words.group.chinaUnicom');
    case 'pccw':
      return i18n.t('words.group.pccw');
  }
}

/** What kind of local address it is: "this computer (loopback)", "private network", …. */
export function scopeWords(scope: AddressScope): string {
  switch (scope) {
    case 'public':
      return i18n.t('words.scope.public');
    case 'unspecified':
      return i18n.t('words.scope.unspecified');
    case 'loopback':
      return i18n.t('words.scope.loopback');
    case 'private':
      return i18n.t('words.scope.private');
    case 'shared':
      return i18n.t('words.scope.shared');
    case 'link-local':
      return i18n.t('words.scope.linkLocal');
    case 'unique-local':
      return i18n.t('words.scope.uniqueLocal');
    case 'multicast':
      return i18n.t('words.scope.multicast');
    case 'documentation':
      return i18n.t('words.scope.documentation');
    case 'benchmarking':
      return i18n.t('words.scope.benchmarking');
    case 'reserved':
      return i18n.t('words.scope.reserved');
  }
}

/** Why a site could not be checked, in a few words (a host row, the tooltip). */
export function problemWords(kind: ProblemKind | undefined): string {
  switch (kind) {
    case 'resolver-unreachable':
      return i18n.t('words.problem.resolverUnreachable');
    case 'resolver-broken':
      return i18n.t('words.problem.resolverBroken');
    case 'lookup-failed':
      return i18n.t('words.problem.lookupFailed');
    case 'no-such-name':
      return i18n.t('words.problem.noSuchName');
    case 'blocked-name':
      return i18n.t('words.problem.blockedName');
    case 'not-seen-yet':
      return i18n.t('words.problem.notSeenYet');
    case 'proxy':
      return i18n.t('words.problem.proxy');
    case 'lookup-unavailable':
      return i18n.t('words.problem.lookupUnavailable');
    case 'not-in-table':
      return i18n.t('words.problem.notInTable');
    case 'from-cache':
      return i18n.t('words.problem.fromCache');
    case 'only-local':
      return i18n.t('words.problem.onlyLocal');
    case 'no-addresses':
    case undefined:
      return i18n.t('words.problem.noAddresses');
  }
}

/**
 * What the resolver said, for experts, by the DNS error's kind (lib/dns/types.ts) or a
 * browser-only reason; undefined for a kind with no words of its own (the caller falls back to
 * problemWords).
 */
export function dnsErrorWords(kind: string | undefined): string | undefined {
  switch (kind) {
    case 'blocked-name':
      return i18n.t('words.dnsError.blockedName');
    case 'invalid-resolver':
      return i18n.t('words.dnsError.invalidResolver');
    case 'nxdomain':
      return i18n.t('words.dnsError.nxdomain');
    case 'nodata':
      return i18n.t('words.dnsError.nodata');
    case 'servfail':
      return i18n.t('words.dnsError.servfail');
    case 'refused':
      return i18n.t('words.dnsError.refused');
    case 'timeout':
      return i18n.t('words.dnsError.timeout');
    case 'aborted':
      return i18n.t('words.dnsError.aborted');
    case 'network':
      return i18n.t('words.dnsError.network');
    case 'redirect':
      return i18n.t('words.dnsError.redirect');
    case 'http-status':
      return i18n.t('words.dnsError.httpStatus');
    case 'content-type':
      return i18n.t('words.dnsError.contentType');
    case 'malformed':
      return i18n.t('words.dnsError.malformed');
    case 'privacy-mode':
      return i18n.t('words.dnsError.privacyMode');
    case 'private-name':
      return i18n.t('words.dnsError.privateName');
    default:
      return undefined;
  }
}

/**
 * A verdict's problem, for the detail line: lib's own English text when the page speaks English
 * (it names the resolver and the record type), otherwise the DNS error's words or the kind's.
 */
export function problemDetailWords(verdict: {
  problem?: string;
  problemKind?: ProblemKind;
  problemDnsError?: string;
}): string {
  if (speaksEnglish() && verdict.problem) return verdict.problem;
  return dnsErrorWords(verdict.problemDnsError) ?? problemWords(verdict.problemKind);
}

/** Why an address could not be looked up: lib's English reason in English, plain words otherwise. */
export function unreadableWords(reason: string): string {
  return speaksEnglish() ? reason : i18n.t('words.lookupUnavailable');
}

/**
 * A watchlist entry's note, or undefined when it should not be shown: a built-in entry's note is
 * research text in English (lib/watchlist/carriers-research.json), shown only to an English page; a
 * custom group's note is the user's own, shown as typed.
 */
export function noteShown(groupId: string, note: string | undefined): string | undefined {
  if (!note) return undefined;
  return builtinGroupId(groupId) && !speaksEnglish() ? undefined : note;
}

/**
 * How the last routing data update ended: lib's English message on an English page (it names the
 * sources and what each said), otherwise the code's words; an attempt an earlier release saved has
 * no code and keeps its message.
 */
export function lastUpdateWords(last: LastUpdateAttempt): string {
  if (speaksEnglish() || !last.code) return last.message;
  return updateCodeWords(last.code);
}

function updateCodeWords(code: LastUpdateCode): string {
  switch (code.kind) {
    case 'updated':
      return i18n.t('words.update.updated', [isoDay(code.publishedAt)]);
    case 'unchanged':
      return i18n.t('words.update.unchanged');
    case 'refused':
      switch (code.refusal) {
        case 'bad-source':
          return i18n.t('words.update.badSource');
        case 'no-source':
          return i18n.t('words.update.noSource');
        case 'cross-check':
          return i18n.t('words.update.crossCheck');
        case 'sources-failed':
          return i18n.t('words.update.sourcesFailed');
        case 'not-stored':
          return i18n.t('words.update.notStored');
        case 'unexpected':
          return i18n.t('words.update.unexpected');
      }
  }
}

/**
 * Why a watchlist edit was refused: lib's English reason on an English page (it is more precise:
 * "AS0 is reserved"), otherwise the refusal's words; a refusal with no code keeps its reason.
 */
export function watchlistRefusalWords(refused: {
  reason: string;
  refusal?: WatchlistRefusal;
}): string {
  const { refusal } = refused;
  if (speaksEnglish() || !refusal) return refused.reason;
  switch (refusal.kind) {
    case 'bad-asn':
      return i18n.t('words.watchlist.badAsn', [refusal.input]);
    case 'bad-prefix':
      return i18n.t('words.watchlist.badPrefix', [refusal.input]);
    case 'already-listed':
      return i18n.t('words.watchlist.alreadyListed', [refusal.entry, groupName(refusal.group)]);
    case 'not-listed':
      return i18n.t('words.watchlist.notListed', [refusal.entry, groupName(refusal.group)]);
    case 'group-full':
      return i18n.t('words.watchlist.groupFull', [groupName(refusal.group), String(refusal.limit)]);
    case 'watchlist-full':
      return i18n.t('words.watchlist.watchlistFull', [String(refusal.limit)]);
    case 'too-many-groups':
      return i18n.t('words.watchlist.tooManyGroups', [String(refusal.limit)]);
    case 'bad-group-name':
      return i18n.t('words.watchlist.badGroupName');
    case 'bad-group-code':
      return i18n.t('words.watchlist.badGroupCode');
    case 'name-taken':
      return i18n.t('words.watchlist.nameTaken', [refusal.name]);
    case 'code-taken':
      return i18n.t('words.watchlist.codeTaken', [refusal.code, groupName(refusal.group)]);
    case 'built-in':
      return i18n.t('words.watchlist.builtIn', [groupName(refusal.group)]);
  }
}
