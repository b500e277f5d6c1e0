import type { TableMeta } from '../lib/prefix-table';

/** Where the routing data comes from and its licence, as CC BY 4.0 asks. */
export function AboutData({
  meta,
  origin,
}: {
  meta: TableMeta | null;
  origin: 'indexeddb' | 'bundled' | 'none';
}) {
  return (
    <footer class="about" data-testid="about">
      {meta ? (
        <p>
          Data: {meta.source} {meta.sourceVersion}
          {dataDate(meta.sourceVersion) && `, published ${dataDate(meta.sourceVersion)}`}
          {origin === 'bundled' ? ' (read from the package: IndexedDB unavailable)' : ''}.
        </p>
      ) : (
        <p>No prefix table loaded.</p>
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

/**
 * The publication date inside an ip-location-db version (`2.3.2026061719` → `2026-06-17`), or
 * undefined for sources whose version carries no date.
 */
export function dataDate(version: string): string | undefined {
  const match = /(20\d{2})(\d{2})(\d{2})\d{2}$/.exec(version);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}
