import { i18n } from '#i18n';
import type { TabReport } from '../lib/tabs/types';
import type { PageHeadline, ProbableReason } from '../lib/tabs/page-verdict';
import { groupName, noteShown } from './lib-words';
import { AddressSentences } from './popup/AddressSentences';
import { problemHint } from './popup/PopupWords';

/**
 * The answer at the top of the popup, in plain words and in the badge's colour: the headline
 * (lib/tabs/page-verdict.ts `pageHeadline` decides it, so it says what the badge says); for an
 * amber page, the site's own verdict under it; then one sentence per flagged address (which
 * carrier, which network, how sure), or what went wrong and what to do when the site could not be
 * checked.
 */
export function VerdictBanner({ report, headline }: { report: TabReport; headline: PageHeadline }) {
  const { verdict } = report;
  return (
    <>
      <p
        class={`verdict verdict-${tone(headline)}`}
        role="status"
        data-testid="verdict"
        data-tone={tone(headline)}
      >
        {headlineText(headline)}
      </p>
      {headline.kind === 'third-party' && (
        <p class="site-verdict" data-testid="site-verdict">
          {siteText(headline.siteStatus, headline.host)}
        </p>
      )}
      {report.final && verdict.status === 'flagged' && (
        <AddressSentences
          verdict={verdict}
          headlineSaysProbably={headline.kind === 'probably-flagged'}
        />
      )}
      {report.final && verdict.status === 'unchecked' && (
        <p class="hint" data-testid="problem-hint">
          {problemHint(verdict.problemKind)}
        </p>
      )}
    </>
  );
}

/** The headline's colour, as the badge's: red, purple (probably), amber (third parties), … */
function tone(headline: PageHeadline): string {
  switch (headline.kind) {
    case 'checking':
      return 'pending';
    case 'probably-flagged':
      return 'probable';
    default:
      return headline.kind;
  }
}

function headlineText(headline: PageHeadline): string {
  const host = headline.host;
  switch (headline.kind) {
    case 'checking':
      return i18n.t('popup.verdict.checking', { host });
    case 'flagged':
      return i18n.t('popup.verdict.flagged', { host, groups: groupNames(headline) });
    case 'probably-flagged':
      return i18n.t('popup.headline.probably', {
        host,
        groups: groupNames(headline),
        why: listWords(headline.why.map(whyText)),
      });
    case 'third-party': {
      const total = String(headline.total);
      const [only] = headline.groups.map((name, i) =>
        groupName({ id: headline.groupIds[i] ?? '', name }),
      );
      return headline.groups.length === 1 && only !== undefined
        ? i18n.t('popup.headline.thirdParty', headline.flagged, { total, group: only })
        : i18n.t('popup.headline.thirdPartyGroups', headline.flagged, {
            total,
            groups: groupNames(headline),
          });
    }
    default:
      return siteText(headline.kind, host);
  }
}

/** The site's own verdict in one sentence ("example.test is not on a watched network."). */
function siteText(status: 'clean' | 'local' | 'allowlisted' | 'unchecked', host: string): string {
  switch (status) {
    case 'clean':
      return i18n.t('popup.verdict.clean', { host });
    case 'local':
      return i18n.t('popup.verdict.local', { host });
    case 'allowlisted':
      return i18n.t('popup.verdict.allowlisted', { host });
    case 'unchecked':
      return i18n.t('popup.verdict.unchecked', { host });
  }
}

/** "a", "a and b", "a, b and c", in the user's language. */
function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return i18n.t('popup.badge.and', {
    first: items.slice(0, -1).join(', '),
    last: items[items.length - 1]!,
  });
}

/** Why only "probably": the low-confidence entry's note, or that it is a name match. */
function whyText(reason: ProbableReason): string {
  const asn = String(reason.asn ?? '');
  const group = groupName({ id: reason.groupId ?? '', name: reason.group });
  if (reason.kind === 'name-match') {
    return i18n.t('popup.headline.whyNameMatch', { asn, group });
  }
  // A built-in entry's note is English research text: an English page only (lib-words.ts).
  const note = noteShown(reason.groupId ?? '', reason.note);
  return note
    ? i18n.t('popup.headline.whyNote', { asn, note })
    : i18n.t('popup.headline.whyNoNote', { asn, group });
}

/** The headline's groups in the user's words: a built-in group by its id (中国电信), a custom one as named. */
function groupNames(headline: { groups: string[]; groupIds: string[] }): string {
  return headline.groups
    .map((name, i) => groupName({ id: headline.groupIds[i] ?? '', name }))
    .join(', ');
}
