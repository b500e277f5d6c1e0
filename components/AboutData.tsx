import { i18n } from '#i18n';
import { ageInDays, isoDay, publishedAtOf, STALE_AFTER_DAYS } from '../lib/data-update/dates';
import { freshnessOf, type DataUpdateStatus, type Freshness } from '../lib/data-update/service';
import { hostOfUrl } from '../lib/data-update/source-url';
import type { TableMeta } from '../lib/prefix-table';
import { lastUpdateWords } from './lib-words';

/**
 * Where the routing data comes from, when it was published and how old it is, whether the last
 * update failed, and its licence, as CC BY 4.0 asks.
 */
export function AboutData({
  meta,
  origin,
  update,
  updating = false,
  onUpdateNow,
  now = Date.now(),
}: {
  meta: TableMeta | null;
  origin: 'indexeddb' | 'bundled' | 'none';
  update?: DataUpdateStatus | undefined;
  /** An update this page started is running (its status is not in `update` until it ends). */
  updating?: boolean;
  /** Offered as "Update now" while the data is stale and no update runs. */
  onUpdateNow?: () => void;
  now?: number;
}) {
  const table = update?.table ?? null;
  const publishedAt =
    table?.publishedAt ?? (meta ? (publishedAtOf(meta.sourceVersion) ?? null) : null);
  const source = table?.downloaded
    ? i18n.t('update.aboutDownloadedFrom', [hostOfUrl(table.source)])
    : (meta?.source ?? '');
  return (
    <footer class="about" data-testid="about">
      {meta ? (
        <DataLine meta={meta} origin={origin} source={source} publishedAt={publishedAt} now={now} />
      ) : (
        <p>{i18n.t('update.aboutNoTable')}</p>
      )}
      <FreshnessNote
        freshness={updating ? 'checking' : freshnessOf(update, publishedAt, now)}
        onUpdateNow={onUpdateNow}
      />
      {update?.last?.result === 'refused' && (
        <LastUpdateFailed message={lastUpdateWords(update.last)} />
      )}
      <p>
        {i18n.t('update.attributionIntro')}{' '}
        <a href="https://www.routeviews.org/" target="_blank" rel="noreferrer noopener">
          RouteViews
        </a>
        ,{' '}
        <a href="https://db-ip.com" target="_blank" rel="noreferrer noopener">
          {i18n.t('update.attributionDbip')}
        </a>{' '}
        {i18n.t('update.attributionRirs')}{' '}
        <a href="https://www.nro.net/" target="_blank" rel="noreferrer noopener">
          NRO
        </a>
        {i18n.t('update.attributionUnder')}{' '}
        <a
          href="https://creativecommons.org/licenses/by/4.0/"
          target="_blank"
          rel="noreferrer noopener"
        >
          CC BY 4.0
        </a>
        {i18n.t('update.attributionCompiled')} {i18n.t('update.attributionUpdates')}{' '}
        <a
          href="https://opendatacommons.org/licenses/pddl/1-0/"
          target="_blank"
          rel="noreferrer noopener"
        >
          PDDL
        </a>
        .
      </p>
    </footer>
  );
}

/** "Data: source version, published date (age)." */
function DataLine({
  meta,
  origin,
  source,
  publishedAt,
  now,
}: {
  meta: TableMeta;
  origin: 'indexeddb' | 'bundled' | 'none';
  source: string;
  publishedAt: number | null;
  now: number;
}) {
  return (
    <p data-testid="about-data">
      {i18n.t('update.aboutData', [source, meta.sourceVersion])}
      {publishedAt !== null &&
        i18n.t('update.aboutPublished', [
          isoDay(publishedAt),
          i18n.t('update.daysOld', ageInDays(publishedAt, now)),
        ])}
      {origin === 'bundled' ? i18n.t('update.aboutFromPackage') : ''}.
    </p>
  );
}

/**
 * Past STALE_AFTER_DAYS the data is called stale only with its reason and an "Update now" button;
 * while a check runs or is about to (automatic updates on, none finished yet) the popup says so
 * instead. Neither is shown in red: old data still works, and a fresh install whose bundled data
 * is old is not at fault (issue 20). Only a failed update is an error.
 */
function FreshnessNote({
  freshness,
  onUpdateNow,
}: {
  freshness: Freshness;
  onUpdateNow: (() => void) | undefined;
}) {
  if (freshness === 'fresh') return null;
  if (freshness === 'checking') {
    return (
      <p role="status" data-testid="about-checking">
        {i18n.t('update.aboutChecking')}
      </p>
    );
  }
  const days = String(STALE_AFTER_DAYS);
  const text =
    freshness === 'stale-off'
      ? i18n.t('popup.headline.staleOff', [days])
      : freshness === 'stale-failed'
        ? i18n.t('popup.headline.staleFailed', [days])
        : i18n.t('popup.headline.staleNoNewer', [days]);
  return (
    <p class={freshness === 'stale-failed' ? 'error' : undefined} data-testid="about-stale">
      {text}{' '}
      {onUpdateNow && (
        <button type="button" data-testid="update-now" onClick={onUpdateNow}>
          {i18n.t('update.updateNow')}
        </button>
      )}
    </p>
  );
}

/** The last routing data update was refused: why, so the popup says it too. */
function LastUpdateFailed({ message }: { message: string }) {
  return (
    <p class="error" data-testid="about-update-failed">
      {i18n.t('update.aboutLastUpdate', [message])}
    </p>
  );
}

/**
 * The publication date inside an ip-location-db version (`2.3.2026061719` → `2026-06-17`), or
 * undefined for sources whose version carries no date.
 */
export function dataDate(version: string): string | undefined {
  const match = /(20\d{2})(\d{2})(\d{2})\d{2}$/.exec(version);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}
