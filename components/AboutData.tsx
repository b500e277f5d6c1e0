import { ageInDays, isoDay, isStale, STALE_AFTER_DAYS } from '../lib/data-update/dates';
import type { DataUpdateStatus } from '../lib/data-update/service';
import type { TableMeta } from '../lib/prefix-table';

/** The about line's strings, in one place for localisation. */
const TEXT = {
  age: (days: number) => (days === 0 ? 'today' : days === 1 ? '1 day old' : `${days} days old`),
  stale: `This data is stale (older than ${STALE_AFTER_DAYS} days): update it on the settings page.`,
  lastFailed: (message: string) => `Last update: ${message}`,
} as const;

/**
 * Where the routing data comes from, when it was published and how old it is, whether the last
 * update failed, and its licence, as CC BY 4.0 asks.
 */
export function AboutData({
  meta,
  origin,
  update,
  now = Date.now(),
}: {
  meta: TableMeta | null;
  origin: 'indexeddb' | 'bundled' | 'none';
  update?: DataUpdateStatus | undefined;
  now?: number;
}) {
  const table = update?.table ?? null;
  const publishedAt = table?.publishedAt ?? null;
  const source = table?.downloaded ? `downloaded from ${hostOf(table.source)}` : meta?.source;
  return (
    <footer class="about" data-testid="about">
      {meta ? (
        <p data-testid="about-data">
          Data: {source} {meta.sourceVersion}
          {publishedAt !== null
            ? `, published ${isoDay(publishedAt)} (${TEXT.age(ageInDays(publishedAt, now))})`
            : dataDate(meta.sourceVersion) && `, published ${dataDate(meta.sourceVersion)}`}
          {origin === 'bundled' ? ' (read from the package: IndexedDB unavailable)' : ''}.
        </p>
      ) : (
        <p>No prefix table loaded.</p>
      )}
      {publishedAt !== null && isStale(publishedAt, now) && (
        <p class="error" data-testid="about-stale">
          {TEXT.stale}
        </p>
      )}
      {update?.last?.result === 'refused' && (
        <p class="error" data-testid="about-update-failed">
          {TEXT.lastFailed(update.last.message)}
        </p>
      )}
      <p>
        Routing data:{' '}
        <a href="https://www.routeviews.org/" target="_blank" rel="noreferrer noopener">
          RouteViews
        </a>
        ,{' '}
        <a href="https://db-ip.com" target="_blank" rel="noreferrer noopener">
          IP to ASN data by DB-IP
        </a>{' '}
        and the five RIRs via the{' '}
        <a href="https://www.nro.net/" target="_blank" rel="noreferrer noopener">
          NRO
        </a>
        , under{' '}
        <a
          href="https://creativecommons.org/licenses/by/4.0/"
          target="_blank"
          rel="noreferrer noopener"
        >
          CC BY 4.0
        </a>
        , compiled by ip-location-db.
      </p>
    </footer>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The publication date inside an ip-location-db version (`2.3.2026061719` → `2026-06-17`), or
 * undefined for sources whose version carries no date.
 */
export function dataDate(version: string): string | undefined {
  const match = /(20\d{2})(\d{2})(\d{2})\d{2}$/.exec(version);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}
