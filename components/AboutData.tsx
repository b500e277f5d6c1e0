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
          {origin === 'bundled' ? ' (read from the package: IndexedDB unavailable)' : ''}.
        </p>
      ) : (
        <p>No prefix table loaded.</p>
      )}
      <p>
        Routing data © RouteViews, the five RIRs via the NRO, and{' '}
        <a href="https://db-ip.com" target="_blank" rel="noreferrer noopener">
          DB-IP
        </a>
        , under{' '}
        <a
          href="https://creativecommons.org/licenses/by/4.0/"
          target="_blank"
          rel="noreferrer noopener"
        >
          CC BY 4.0
        </a>
        , as compiled by ip-location-db.
      </p>
    </footer>
  );
}
