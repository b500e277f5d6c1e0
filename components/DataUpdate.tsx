import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { DataUpdateStatus } from '../lib/data-update/service';
import type { UpdateProgress } from '../lib/data-update/update';
import { ageInDays, isoDay, isStale, STALE_AFTER_DAYS } from '../lib/data-update/dates';
import { DEFAULT_GUARD_LIMITS } from '../lib/data-update/guards';
import { DEFAULT_DOWNLOAD_LIMITS } from '../lib/data-update/download';
import { request } from '../lib/messages';
import type { DataUpdateSettings, SettingsResult } from '../lib/settings';

/** How the section reaches the worker. */
export interface DataUpdateApi {
  status(): Promise<DataUpdateStatus>;
  updateNow(): Promise<DataUpdateStatus>;
  loadSettings(): Promise<DataUpdateSettings>;
  saveSettings(dataUpdate: DataUpdateSettings): Promise<SettingsResult>;
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

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
const percent = (share: number) => `${Math.round(share * 100)}%`;

/** This component's UI strings, in one place for localisation. */
export const TEXT = {
  heading: 'Routing data',
  intro:
    'CarrierFlag tells which network an address belongs to from a table of routing data. New data is published every day; updating fetches it from the address below.',
  source: 'Source',
  version: 'Version',
  published: 'Published',
  bundled: 'bundled with the extension',
  downloaded: 'downloaded',
  age: (days: number) => (days === 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`),
  stale: `Older than ${STALE_AFTER_DAYS} days: this data is stale. Update it to check sites against current routing.`,
  unknownDate: 'unknown',
  noTable: 'No routing table is loaded.',
  updateNow: 'Update now',
  updating: 'Updating…',
  progress(p: UpdateProgress | null): string {
    if (!p) return 'Starting the update…';
    if (p.phase === 'downloading') {
      return p.totalBytes
        ? `Downloading ${p.file}: ${mb(p.receivedBytes)} of ${mb(p.totalBytes)} MB`
        : `Downloading ${p.file}: ${mb(p.receivedBytes)} MB`;
    }
    return p.phase === 'building' ? 'Building the new table…' : 'Checking the new data…';
  },
  lastAttempt: (when: string) => `Last update (${when}):`,
  automatic: 'Check for new routing data every week',
  urlLabel: 'Routing data URL',
  urlHelp:
    'A folder holding asn-ipv4-num.csv and asn-ipv6-num.csv in the ip-location-db format. Must start with https://.',
  saveUrl: 'Save address',
  saved: 'Saved.',
  checksHeading: 'What is checked before the new data is used',
  checks: [
    `Each file is at most ${mb(DEFAULT_DOWNLOAD_LIMITS.maxFileBytes)} MB; a server that sends nothing for ${DEFAULT_DOWNLOAD_LIMITS.stallTimeoutMs / 1000} seconds is given up on.`,
    `At most ${DEFAULT_GUARD_LIMITS.maxMalformedRows} unreadable rows.`,
    `The number of IPv4 and IPv6 ranges stays between ${percent(DEFAULT_GUARD_LIMITS.rangeBandLow)} and ${percent(DEFAULT_GUARD_LIMITS.rangeBandHigh)} of the data in use.`,
    `No built-in carrier loses more than ${percent(DEFAULT_GUARD_LIMITS.maxCarrierCoverageDrop)} of its addresses.`,
    'Otherwise the data in use stays, and the reason is shown here and in the popup.',
  ],
  loadFailed: (reason: string) => `The routing data status could not be read: ${reason}`,
} as const;

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
    api.status().then(setStatus, (e: unknown) => setLoadError(String(e)));
    api.loadSettings().then(
      (s) => {
        setSettings(s);
        setUrl(s.sourceUrl);
      },
      (e: unknown) => setLoadError(String(e)),
    );
  }, [api]);

  // Progress while an update runs (started here, by the schedule, or in another tab).
  const running = busy || (status?.running ?? false);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      api.status().then(setStatus, () => undefined);
    }, 250);
    return () => clearInterval(timer);
  }, [api, running]);

  async function updateNow() {
    setBusy(true);
    setStatus((s) => (s ? { ...s, running: true, progress: null } : s));
    try {
      setStatus(await api.updateNow());
    } catch (error) {
      setLoadError(String(error));
    } finally {
      setBusy(false);
    }
  }

  async function save(next: DataUpdateSettings) {
    setUrlMessage(null);
    const result = await api.saveSettings(next).catch(
      (error: unknown): SettingsResult => ({ ok: false, reason: String(error) }),
    );
    if (!result.ok) {
      setUrlMessage({ error: true, text: result.reason });
      return;
    }
    setSettings(result.settings.dataUpdate);
    setUrl(result.settings.dataUpdate.sourceUrl);
    setUrlMessage({ error: false, text: TEXT.saved });
  }

  const table = status?.table ?? null;
  const now = Date.now();
  return (
    <section aria-labelledby="data-update-heading" data-testid="data-update">
      <h2 id="data-update-heading">{TEXT.heading}</h2>
      <p>{TEXT.intro}</p>
      {loadError && (
        <p role="alert" class="error">
          {TEXT.loadFailed(loadError)}
        </p>
      )}
      {table ? (
        <dl data-testid="data-facts">
          <dt>{TEXT.source}</dt>
          <dd data-testid="data-source">
            {table.source} ({table.downloaded ? TEXT.downloaded : TEXT.bundled})
          </dd>
          <dt>{TEXT.version}</dt>
          <dd data-testid="data-version">{table.version}</dd>
          <dt>{TEXT.published}</dt>
          <dd data-testid="data-published">
            {table.publishedAt === null
              ? TEXT.unknownDate
              : `${isoDay(table.publishedAt)} (${TEXT.age(ageInDays(table.publishedAt, now))})`}
          </dd>
        </dl>
      ) : (
        status && <p>{TEXT.noTable}</p>
      )}
      {table?.publishedAt != null && isStale(table.publishedAt, now) && (
        <p class="error" data-testid="data-stale">
          {TEXT.stale}
        </p>
      )}
      <div class="inline-form">
        <button type="button" onClick={() => void updateNow()} disabled={running}>
          {running ? TEXT.updating : TEXT.updateNow}
        </button>
      </div>
      <p role="status" data-testid="update-progress">
        {running ? TEXT.progress(status?.progress ?? null) : ''}
      </p>
      {!running && status?.last && (
        <p data-testid="update-outcome" class={status.last.result === 'refused' ? 'error' : ''}>
          {TEXT.lastAttempt(new Date(status.last.at).toLocaleString())} {status.last.message}
        </p>
      )}
      {settings && (
        <>
          <label style={{ display: 'block' }}>
            <input
              type="checkbox"
              checked={settings.automatic}
              onChange={(e) => void save({ ...settings, automatic: e.currentTarget.checked })}
            />{' '}
            {TEXT.automatic}
          </label>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save({ ...settings, sourceUrl: url });
            }}
          >
            <label for="routing-data-url">{TEXT.urlLabel}</label>{' '}
            {/* type="text": our own check explains a refusal in words; type="url" would block
                the submit silently. */}
            <input
              id="routing-data-url"
              type="text"
              inputMode="url"
              spellcheck={false}
              size={50}
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value)}
              aria-describedby="routing-data-url-help"
            />{' '}
            <button type="submit">{TEXT.saveUrl}</button>
            {urlMessage && (
              <span role={urlMessage.error ? 'alert' : 'status'} class={urlMessage.error ? 'error' : 'saved'}>
                {' '}
                {urlMessage.text}
              </span>
            )}
          </form>
          <p id="routing-data-url-help">{TEXT.urlHelp}</p>
        </>
      )}
      <details>
        <summary>{TEXT.checksHeading}</summary>
        <ul>
          {TEXT.checks.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </details>
    </section>
  );
}
