import { i18n } from '#i18n';
import { useState } from 'preact/hooks';
import type { TableMeta } from '../../lib/prefix-table';
import type { SaveSettingsResult } from '../../lib/messages';
import { allowlistWithout, parseAllowlistEntry, type Settings } from '../../lib/settings';
import type { TabReport } from '../../lib/tabs/types';
import type { PageHostsView } from '../../lib/tabs/page-hosts';
import { issueUrl, reportText, type ReportContext } from '../../lib/tabs/report-text';
import { speaksEnglish } from '../lib-words';

/** What the actions need from the browser and the worker; main.tsx passes the real ones. */
export interface ActionsApi {
  getSettings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<SaveSettingsResult>;
  openSettings(): Promise<void>;
  copyText(text: string): Promise<void>;
  /** The extension's version and the browser, for the report. */
  about(): Omit<ReportContext, 'meta'>;
}

type Feedback = { kind: 'ok' | 'error'; text: string } | null;

/**
 * The few things a person does about this site from the popup: open settings, allowlist it (with
 * an Undo that puts the previous allowlist back) or, for a site already on the allowlist when the
 * popup opens, remove it again, copy a plain-text report, and report a wrong result on the issue
 * tracker (a link: nothing is sent until the person submits the form there).
 * Feedback sits next to the buttons and is cleared when the next action starts.
 */
export function Actions({
  report,
  meta,
  pageHosts = null,
  countThirdPartyHosts = true,
  api,
}: {
  report: TabReport;
  meta: TableMeta | null;
  /** The page's other hosts and the badge setting: the report says what the badge says. */
  pageHosts?: PageHostsView | null;
  countThirdPartyHosts?: boolean;
  api: ActionsApi;
}) {
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [undo, setUndo] = useState<{ host: string; previous: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const host = report.hostname;
  const text = () => reportText(report, { ...api.about(), meta, pageHosts, countThirdPartyHosts });

  const run = async (work: () => Promise<void>) => {
    setFeedback(null);
    setBusy(true);
    try {
      await work();
    } catch (error) {
      setFeedback({
        kind: 'error',
        text: i18n.t('popup.actions.failed', { reason: String(error) }),
      });
    } finally {
      setBusy(false);
    }
  };

  /** A refusal, or an allowlist the administrator's policy locks (the worker kept it as it was). */
  const refuseUnsaved = (result: SaveSettingsResult) => {
    if (!result.ok) throw new Error(result.reason);
    if (result.ignoredLocked?.length) throw new Error(i18n.t('policy.setByOrganisation'));
  };

  const allowlist = () =>
    run(async () => {
      const entry = parseAllowlistEntry(host);
      if (!entry.ok) throw new Error(entry.reason);
      const settings = await api.getSettings();
      const previous = settings.allowlist;
      const next = previous.includes(entry.hostname) ? previous : [...previous, entry.hostname];
      const result = await api.saveSettings({ ...settings, allowlist: next });
      refuseUnsaved(result);
      setUndo({ host, previous });
      setFeedback({ kind: 'ok', text: i18n.t('popup.actions.allowlisted', { host }) });
    });

  const undoAllowlist = () =>
    run(async () => {
      if (!undo) return;
      // Only the allowlist goes back: anything else changed meanwhile (settings page) stays.
      const settings = await api.getSettings();
      const result = await api.saveSettings({ ...settings, allowlist: undo.previous });
      refuseUnsaved(result);
      setUndo(null);
      setFeedback({ kind: 'ok', text: i18n.t('popup.actions.undone', { host: undo.host }) });
    });

  // A popup closes on any click outside it, so an Undo right after "Allowlist this site" is gone
  // the next time: an allowlisted site's popup offers the way back itself.
  const removeFromAllowlist = () =>
    run(async () => {
      const settings = await api.getSettings();
      const { kept, removed } = allowlistWithout(host, settings.allowlist);
      if (removed.length > 0) {
        const result = await api.saveSettings({ ...settings, allowlist: kept });
        refuseUnsaved(result);
      }
      setFeedback({
        kind: 'ok',
        text: i18n.t('popup.headline.removed', { entries: removed.join(', ') || host, host }),
      });
    });

  const copy = async () => {
    setFeedback(null);
    try {
      await api.copyText(text());
      setFeedback({ kind: 'ok', text: i18n.t('popup.actions.copied') });
    } catch (error) {
      setFeedback({
        kind: 'error',
        text: i18n.t('popup.actions.copyFailed', { reason: String(error) }),
      });
    }
  };

  const canAllowlist =
    report.final && report.verdict.status !== 'allowlisted' && report.verdict.status !== 'local';
  const canRemove = report.verdict.status === 'allowlisted' && !undo;
  return (
    <section class="actions" aria-label={i18n.t('popup.actions.label')} data-testid="actions">
      <div class="buttons">
        {undo ? (
          <button type="button" disabled={busy} onClick={() => void undoAllowlist()}>
            {i18n.t('popup.actions.undo')}
          </button>
        ) : (
          canAllowlist && (
            <button type="button" disabled={busy} onClick={() => void allowlist()}>
              {i18n.t('popup.actions.allowlist')}
            </button>
          )
        )}
        {canRemove && (
          <button
            type="button"
            data-action="remove-allowlist"
            disabled={busy}
            onClick={() => void removeFromAllowlist()}
          >
            {i18n.t('popup.headline.removeAllowlist')}
          </button>
        )}
        <button type="button" data-action="copy" onClick={() => void copy()}>
          {i18n.t('popup.actions.copy')}
        </button>
        <a
          class="button-link"
          href={issueUrl(host, text())}
          target="_blank"
          rel="noreferrer noopener"
          title={i18n.t('popup.actions.reportNote')}
          data-testid="report-link"
        >
          {i18n.t('popup.actions.report')}
        </a>
        <button type="button" onClick={() => void api.openSettings()}>
          {i18n.t('popup.openSettings')}
        </button>
      </div>
      {/* The copied report and the issue text stay English (lib/tabs/report-text.ts): say so. */}
      {!speaksEnglish() && (
        <p class="hint" data-testid="report-language">
          {i18n.t('words.reportInEnglish')}
        </p>
      )}
      <p
        class={feedback?.kind === 'error' ? 'feedback error' : 'feedback'}
        role={feedback?.kind === 'error' ? 'alert' : 'status'}
        data-testid="action-feedback"
      >
        {feedback?.text ?? ''}
      </p>
    </section>
  );
}
