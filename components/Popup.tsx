import { useEffect, useState } from 'preact/hooks';
import type { EngineStatus } from '../lib/messages';
import type { TabReport } from '../lib/tab-monitor';
import type { LookupResult } from '../lib/prefix-table';
import type { PageHostsView } from '../lib/tabs/page-hosts';
import type { AddressEvidence, Verdict } from '../lib/verdict';
import { AboutData } from './AboutData';
import { PageHosts } from './PageHosts';
import { VerdictBanner } from './VerdictBanner';

/** Shown under the site when a DoH query had to be sent twice (a dropped packet, a lost connection). */
const RETRIED_NOTE = 'The resolver answered on the second try.';

/** How the popup reaches the worker; main.tsx passes the real one, tests may pass a fake. */
export interface PopupApi {
  getReport(): Promise<TabReport | null>;
  getStatus(): Promise<EngineStatus>;
  /** The other hosts of the tab's page. */
  getPageHosts(): Promise<PageHostsView | null>;
  /** Calls back whenever a tab report may have changed; returns an unsubscribe function. */
  subscribe(onChange: () => void): () => void;
}

/** Hosting details for one tab: verdict, every address and why it was flagged, data attribution. */
export function Popup({ api }: { api: PopupApi }) {
  const [report, setReport] = useState<TabReport | null | undefined>(undefined);
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pageHosts, setPageHosts] = useState<PageHostsView | null>(null);

  useEffect(() => {
    let live = true;
    // One refresh in flight and at most one more queued: a page loading hundreds of hosts changes
    // the session store many times a second, and each refresh asks the worker for the whole list.
    let refreshing = false;
    let again = false;
    const refresh = async (): Promise<void> => {
      if (refreshing) {
        again = true;
        return;
      }
      refreshing = true;
      do {
        again = false;
        await fetchBoth();
      } while (again && live);
      refreshing = false;
    };
    const fetchBoth = () =>
      Promise.all([
        api.getReport().then(
          (next) => live && setReport(next),
          (e: unknown) => live && setError(String(e)),
        ),
        api.getPageHosts().then(
          (next) => live && setPageHosts(next),
          (e: unknown) => live && setError(String(e)),
        ),
      ]);
    void refresh();
    void api.getStatus().then(
      (s) => live && setStatus(s),
      (e: unknown) => live && setError(String(e)),
    );
    const unsubscribe = api.subscribe(() => void refresh());
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);

  return (
    <main class="popup" aria-live="polite">
      <h1 class="visually-hidden">CarrierFlag</h1>
      {error && (
        <p role="alert" class="problem">
          Could not reach CarrierFlag: {error}
        </p>
      )}
      {report === undefined && !error && <p>Loading…</p>}
      {report === null && <p class="verdict verdict-none">No web page in this tab to check.</p>}
      {report && <TabDetails report={report} />}
      {report && <PageHosts view={pageHosts} />}
      {status && status.problems.length > 0 && (
        <ul class="problems" aria-label="Problems">
          {status.problems.map((p) => (
            <li key={p} role="alert">
              {p}
            </li>
          ))}
        </ul>
      )}
      <AboutData
        meta={status?.tableMeta ?? null}
        origin={status?.tableOrigin ?? 'none'}
        update={status?.dataUpdate}
      />
    </main>
  );
}

/** This component's own sentences (kept together for localisation). */
const TEXT = {
  notSaved:
    'CarrierFlag could not save this result (the browser’s storage for it is full). It is shown now, but may be lost if the browser restarts the extension.',
  omitted: (n: number) =>
    `${n} more address${n === 1 ? '' : 'es'} from DNS not listed, to save space; they do not change the verdict.`,
  throughProxy: 'Through a proxy:',
  proxyNote: "This is the proxy's address, not the site's, so it is not judged.",
  proxyVerdictFromDoh: 'The verdict rests on the addresses DNS-over-HTTPS gave for the site.',
  proxyFromBrowser: 'the browser reported it',
  proxyFromPattern: 'recognised because several unrelated sites were reached at this one address',
  connectedElsewhere: (ip: string) =>
    `The browser connected to ${ip}, which is not among the addresses DNS-over-HTTPS gave for this site. ` +
    'This is common with content-delivery networks, location-based DNS or a recently changed address. ' +
    'Both were checked.',
};

function TabDetails({ report }: { report: TabReport }) {
  const { verdict } = report;
  return (
    <>
      <VerdictBanner report={report} />
      {report.notSaved && (
        <p role="alert" class="problem" data-testid="not-saved">
          {TEXT.notSaved}
        </p>
      )}
      <p class="hostname">
        <span class="label">Site</span> <strong data-testid="hostname">{report.hostname}</strong>
      </p>
      {report.doh.state === 'done' && report.doh.cnameChain.length > 0 && (
        <p class="cname">
          <span class="label">Alias chain</span>{' '}
          {[report.hostname, ...report.doh.cnameChain].join(' → ')}
        </p>
      )}
      {report.doh.state === 'done' && report.doh.retried && (
        <p class="dns-retried" data-testid="dns-retried">
          {RETRIED_NOTE}
        </p>
      )}
      {verdict.addresses.length > 0 ? (
        <table class="addresses" aria-label="Addresses of this site">
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Seen via</th>
              <th scope="col">Network</th>
              <th scope="col">Watchlist</th>
            </tr>
          </thead>
          <tbody>
            {verdict.addresses.map((a) => (
              <AddressRow key={a.ip} evidence={a} />
            ))}
          </tbody>
        </table>
      ) : (
        report.final && <p>No addresses to show.</p>
      )}
      {verdict.proxy && <ProxyLine proxy={verdict.proxy} fromDoh={report.doh.state === 'done'} />}
      {verdict.connectedElsewhere && (
        <p class="note" data-testid="connected-elsewhere">
          {TEXT.connectedElsewhere(verdict.connectedElsewhere)}
        </p>
      )}
      {report.omittedAddresses ? <p>{TEXT.omitted(report.omittedAddresses)}</p> : null}
    </>
  );
}

/** The popup's sentences about proxies and addresses, in one place for localisation. */

/** The proxy as a fact about the connection, apart from the site's own addresses. */
function ProxyLine({ proxy, fromDoh }: { proxy: NonNullable<Verdict['proxy']>; fromDoh: boolean }) {
  const where = proxy.port === undefined ? proxy.address : `${proxy.address} port ${proxy.port}`;
  return (
    <p class="proxy" data-testid="proxy">
      <span class="label">{TEXT.throughProxy}</span> <code>{where}</code> ({networkOf(proxy.lookup)}
      {proxy.type ? `, ${proxy.type}` : ''})
      <br />
      <small>
        {TEXT.proxyNote} {fromDoh && TEXT.proxyVerdictFromDoh} (
        {proxy.detectedBy === 'proxy-info' ? TEXT.proxyFromBrowser : TEXT.proxyFromPattern})
      </small>
    </p>
  );
}

/** One phrase naming the network of an address. */
function networkOf(lookup: LookupResult): string {
  switch (lookup.kind) {
    case 'routed':
      return `AS${lookup.asn} ${lookup.org}`.trim();
    case 'unrouted':
      return 'not routed';
    case 'local':
      return `local address, ${lookup.scope}`;
    case 'invalid':
      return 'network unknown';
  }
}

const ORIGIN_LABEL: Record<AddressEvidence['origins'][number], string> = {
  doh: 'DNS-over-HTTPS',
  browser: "browser's connection",
  literal: 'address in the URL',
};

function AddressRow({ evidence }: { evidence: AddressEvidence }) {
  const { lookup } = evidence;
  return (
    <tr class={evidence.matches.length > 0 ? 'matched' : undefined} data-testid="address-row">
      <td>
        <code>{evidence.ip}</code>
      </td>
      <td>{evidence.origins.map((o) => ORIGIN_LABEL[o]).join(', ')}</td>
      <td>
        {lookup.kind === 'routed' && (
          <>
            <span class="asn">AS{lookup.asn}</span> <span class="org">{lookup.org}</span>
            <br />
            <small>
              range {lookup.rangeStart} – {lookup.rangeEnd}
            </small>
            <br />
            <small>
              look up:{' '}
              <a
                href={`https://stat.ripe.net/AS${lookup.asn}`}
                target="_blank"
                rel="noreferrer noopener"
              >
                RIPEstat
              </a>{' '}
              ·{' '}
              <a
                href={`https://bgp.tools/as/${lookup.asn}`}
                target="_blank"
                rel="noreferrer noopener"
              >
                bgp.tools
              </a>
            </small>
          </>
        )}
        {lookup.kind === 'unrouted' && <span>not routed (no origin AS in the table)</span>}
        {lookup.kind === 'local' && <span>local address ({lookup.scope}), not checked</span>}
        {lookup.kind === 'invalid' && <span>unreadable: {lookup.reason}</span>}
      </td>
      <td>
        {evidence.matches.length === 0
          ? '—'
          : evidence.matches.map((m) => (
              <div key={m.groupId} class="match">
                <strong>{m.groupName}</strong>{' '}
                {m.reason.kind === 'asn'
                  ? `(AS${m.reason.asn} is on the list)`
                  : `(inside listed prefix ${m.reason.prefix})`}
              </div>
            ))}
      </td>
    </tr>
  );
}
