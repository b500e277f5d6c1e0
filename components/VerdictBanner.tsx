import { i18n } from '#i18n';
import type { TabReport } from '../lib/tabs/types';
import type { Verdict } from '../lib/verdict';
import { groupName } from './lib-words';
import { AddressSentences } from './popup/AddressSentences';
import { problemHint } from './popup/PopupWords';

/**
 * The answer at the top of the popup, in plain words: one sentence for the site, coloured by
 * verdict; then one sentence per flagged address (which carrier, which network, how sure), or what
 * went wrong and what to do when the site could not be checked.
 */
export function VerdictBanner({ report }: { report: TabReport }) {
  const { verdict } = report;
  if (!report.final) {
    return (
      <p class="verdict verdict-pending" role="status" data-testid="verdict">
        {i18n.t('popup.verdict.checking', { host: report.hostname })}
      </p>
    );
  }
  return (
    <>
      <p class={`verdict verdict-${verdict.status}`} role="status" data-testid="verdict">
        {headline(verdict)}
      </p>
      {verdict.status === 'flagged' && <AddressSentences verdict={verdict} />}
      {verdict.status === 'unchecked' && (
        <p class="hint" data-testid="problem-hint">
          {problemHint(verdict.problemKind)}
        </p>
      )}
    </>
  );
}

function headline(verdict: Verdict): string {
  const host = verdict.hostname;
  switch (verdict.status) {
    case 'flagged':
      return i18n.t('popup.verdict.flagged', {
        host,
        groups: verdict.groups.map(groupName).join(', '),
      });
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
