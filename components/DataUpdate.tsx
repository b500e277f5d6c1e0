import { useEffect, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import { lastUpdateWords } from './lib-words';
import browser from 'webextension-polyfill';
import {
  freshnessOf,
  isStaleWithReason,
  type DataUpdateStatus,
  type LastUpdateAttempt,
  type TableInfo,
} from '../lib/data-update/service';
import type { UpdateProgress } from '../lib/data-update/update';
import { ageInDays, isoDay, STALE_AFTER_DAYS } from '../lib/data-update/dates';
import { DEFAULT_GUARD_LIMITS } from '../lib/data-update/guards';
import { DEFAULT_CROSS_CHECK_LIMITS } from '../lib/data-update/cross-check';
import { DEFAULT_DOWNLOAD_LIMITS } from '../lib/data-update/download';
import { displayValue } from '../lib/display-text';
import { request } from '../lib/messages';
import type { SaveSettingsResult } from '../lib/messages';
import type { DataUpdateSettings } from '../lib/settings';
import { ignoredLockedText, Lockable } from './options/Locked';

/** How the section reaches the worker. */
export interface DataUpdateApi {
  status(): Promise<DataUpdateStatus>;
  updateNow(): Promise<DataUpdateStatus>;
  loadSettings(): Promise<DataUpdateSettings>;
  saveSettings(dataUpdate: DataUpdateSettings): Promise<SaveSettingsResult>;
}

/**
 * The real API over runtime messages. The section builds it itself when none is passed, so the
 * options page mounts it with one line (`<DataUpdate />`) and needs no wiring of its own.
 */
export function messageDataUpdateApi(
  send: (message: unknown) => Promise<unknown> = (m) => browser.runtime.sendMessage(m),
): DataUpdateApi {
  return {
    status: () => request(send, { type: 'get-data-update-status' }),
    updateNow: () => request(send, { type: 'update-data-now' }),
    loadSettings: () => request(send, { type: 'get-settings' }).then((r) => r.settings.dataUpdate),
    saveSettings: (dataUpdate) => request(send, { type: 'save-data-update-settings', dataUpdate }),
  };
}

const mb = (bytes: number) => String(Math.round((bytes / (1024 * 1024)) * 10) / 10);
const percent = (share: number) => `${Math.round(share * 100)}%`;

/** Progress of a running update, in words. */
function progressText(p: UpdateProgress | null): string {
  if (!p) return i18n.t('update.starting');
  if (p.phase === 'downloading') {
    return p.totalBytes
      ? i18n.t('update.downloading', [p.file, mb(p.receivedBytes), mb(p.totalBytes)])
      : i18n.t('update.downloadingNoTotal', [p.file, mb(p.receivedBytes)]);
  }
  if (p.phase === 'building') return i18n.t('update.building');
  return p.phase === 'checking' ? i18n.t('update.checking') : i18n.t('update.storing');
}

/** The documented bounds (lib/data-update), behind a disclosure: expert detail one click away. */
function checks(): string[] {
  return [
    i18n.t('update.checkSize', [
      mb(DEFAULT_DOWNLOAD_LIMITS.maxFileBytes),
      String(DEFAULT_DOWNLOAD_LIMITS.stallTimeoutMs / 1000),
    ]),
    i18n.t('update.checkRows', [String(DEFAULT_GUARD_LIMITS.maxMalformedRows)]),
    i18n.t('update.checkRanges', [
      percent(DEFAULT_GUARD_LIMITS.rangeBandLow),
      percent(DEFAULT_GUARD_LIMITS.rangeBandHigh),
    ]),
    i18n.t('update.checkCarriers', [percent(DEFAULT_GUARD_LIMITS.maxCarrierCoverageDrop)]),
    i18n.t('update.checkDate'),
    i18n.t('update.checkCrossCheck', [
      percent(DEFAULT_CROSS_CHECK_LIMITS.maxDisagreementV4),
      percent(DEFAULT_CROSS_CHECK_LIMITS.maxDisagreementV6),
    ]),
    i18n.t('update.checkRedirects'),
    i18n.t('update.checkOtherwise'),
  ];
}

/** The settings page's routing data section: what is in use, "Update now", the schedule and source. */
export function DataUpdate({ api: given }: { api?: DataUpdateApi }) {
  const [api] = useState(() => given ?? messageDataUpdateApi());
  const [status, setStatus] = useState<DataUpdateStatus | null>(null);
  const [settings, setSettings] = useState<DataUpdateSettings | null>(null);
  const [url, setUrl] = useState('');
  const [urlMessage, setUrlMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [loadError, setLoadError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // The status carries text from the update server (the last attempt's message, the data's
    // source): it enters display here, through displayValue (lib/display-text.ts).
    api.status().then(
      (s) => setStatus(displayValue(s)),
      (e: unknown) => setLoadError(String(e)),
    );
    api.loadSettings().then(
      (s) => {
        setSettings(s);
        setUrl(s.sources.join('\n'));
      },
      (e: unknown) => setLoadError(String(e)),
    );
  }, [api]);

  // Progress while an update runs (started here, by the schedule, or in another tab).
  const running = busy || (status?.running ?? false);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      api.status().then(
        (s) => setStatus(displayValue(s)),
        () => undefined,
      );
    }, 250);
    return () => clearInterval(timer);
  }, [api, running]);

  async function updateNow() {
    setBusy(true);
    setStatus((s) => (s ? { ...s, running: true, progress: null } : s));
    try {
      setStatus(displayValue(await api.updateNow()));
    } catch (error) {
      setLoadError(String(error));
    } finally {
      setBusy(false);
    }
  }

  async function save(next: DataUpdateSettings) {
    setUrlMessage(null);
    const result = await api
      .saveSettings(next)
      .catch((error: unknown): SaveSettingsResult => ({ ok: false, reason: String(error) }));
    if (!result.ok) {
      setUrlMessage({ error: true, text: result.reason });
      return;
    }
    setSettings(result.settings.dataUpdate);
    setUrl(result.settings.dataUpdate.sources.join('\n'));
    const ignored = ignoredLockedText(result.ignoredLocked);
    setUrlMessage(
      ignored ? { error: true, text: ignored } : { error: false, text: i18n.t('update.saved') },
    );
  }

  const table = status?.table ?? null;
  const now = Date.now();
  return (
    <section aria-labelledby="data-update-heading" data-testid="data-update">
      <h2 id="data-update-heading">{i18n.t('update.heading')}</h2>
      <p>{i18n.t('update.intro')}</p>
      {loadError && <LoadError reason={loadError} />}
      {table ? <DataFacts table={table} now={now} /> : status && <p>{i18n.t('update.noTable')}</p>}
      {table && isStaleWithReason(freshnessOf(status, table.publishedAt, now)) && <StaleNote />}
      <div class="inline-form">
        <button type="button" onClick={() => void updateNow()} disabled={running}>
          {running ? i18n.t('update.updating') : i18n.t('update.updateNow')}
        </button>
      </div>
      <p role="status" data-testid="update-progress">
        {running ? progressText(status?.progress ?? null) : ''}
      </p>
      {!running && status?.last && <Outcome last={status.last} />}
      {settings && (
        <Lockable field="dataUpdate">
          <UpdateSettingsForm
            settings={settings}
            url={url}
            onUrl={setUrl}
            save={(next) => void save(next)}
            message={urlMessage}
          />
        </Lockable>
      )}
      <details>
        <summary>{i18n.t('update.checksHeading')}</summary>
        <ul>
          {checks().map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </details>
    </section>
  );
}

function LoadError({ reason }: { reason: string }) {
  return (
    <p role="alert" class="error">
      {i18n.t('update.loadFailed', [reason])}
    </p>
  );
}

/** Source, version, publication date and age of the table in use. */
function DataFacts({ table, now }: { table: TableInfo; now: number }) {
  const kind = table.downloaded ? i18n.t('update.downloaded') : i18n.t('update.bundled');
  const published =
    table.publishedAt === null
      ? i18n.t('update.unknownDate')
      : `${isoDay(table.publishedAt)} (${i18n.t('update.daysAgo', ageInDays(table.publishedAt, now))})`;
  return (
    <dl data-testid="data-facts">
      <dt>{i18n.t('update.source')}</dt>
      <dd data-testid="data-source">
        {table.source} ({kind})
      </dd>
      {table.servedBy.length > 0 && (
        <>
          <dt>{i18n.t('update.servedBy')}</dt>
          <dd data-testid="data-served-by">{table.servedBy.join(', ')}</dd>
        </>
      )}
      <dt>{i18n.t('update.version')}</dt>
      <dd data-testid="data-version">{table.version}</dd>
      <dt>{i18n.t('update.published')}</dt>
      <dd data-testid="data-published">{published}</dd>
    </dl>
  );
}

function StaleNote() {
  return (
    <p class="error" data-testid="data-stale">
      {i18n.t('update.stale', [String(STALE_AFTER_DAYS)])}
    </p>
  );
}

/** How the last attempt ended, beside the button that started it. */
function Outcome({ last }: { last: LastUpdateAttempt }) {
  const refused = last.result === 'refused';
  return (
    <p data-testid="update-outcome" class={refused ? ERROR_CLASS : ''}>
      {i18n.t('update.lastAttempt', [new Date(last.at).toLocaleString()])} {lastUpdateWords(last)}
    </p>
  );
}

const ERROR_CLASS = 'error';

/** The automatic-update switch and the Routing data URL field. */
function UpdateSettingsForm({
  settings,
  url,
  onUrl,
  save,
  message,
}: {
  settings: DataUpdateSettings;
  url: string;
  onUrl: (url: string) => void;
  save: (next: DataUpdateSettings) => void;
  message: { error: boolean; text: string } | null;
}) {
  return (
    <>
      <label style={{ display: 'block' }}>
        <input
          type="checkbox"
          checked={settings.automatic}
          onChange={(e) => save({ ...settings, automatic: e.currentTarget.checked })}
        />{' '}
        {i18n.t('update.automatic')}
      </label>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          save({ ...settings, sources: url.split('\n') });
        }}
      >
        <label for="routing-data-url">{i18n.t('update.urlLabel')}</label>{' '}
        {/* One address a line; our own check explains a refusal in words. */}
        <textarea
          id="routing-data-url"
          inputMode="url"
          spellcheck={false}
          cols={60}
          rows={3}
          placeholder={i18n.t('update.urlPlaceholder')}
          value={url}
          onInput={(e) => onUrl(e.currentTarget.value)}
          aria-describedby="routing-data-url-help"
        />{' '}
        <button type="submit">{i18n.t('update.saveUrl')}</button>
        {message && <UrlMessage message={message} />}
      </form>
      <p id="routing-data-url-help">{i18n.t('update.urlHelp')}</p>
    </>
  );
}

function UrlMessage({ message }: { message: { error: boolean; text: string } }) {
  return (
    <span
      role={message.error ? ALERT_ROLE : STATUS_ROLE}
      class={message.error ? ERROR_CLASS : SAVED_CLASS}
    >
      {' '}
      {message.text}
    </span>
  );
}

const ALERT_ROLE = 'alert';
const STATUS_ROLE = 'status';
const SAVED_CLASS = 'saved';
