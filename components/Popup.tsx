import { useEffect, useState } from 'preact/hooks';
import type { EngineStatus } from '../lib/messages';
import type { TabReport } from '../lib/tab-monitor';
import type { AddressEvidence } from '../lib/verdict';
import { AboutData } from './AboutData';
import { VerdictBanner } from './VerdictBanner';

/** How the popup reaches the worker; main.tsx passes the real one, tests may pass a fake. */
export interface PopupApi {
  getReport(): Promise<TabReport | null>;
  getStatus(): Promise<EngineStatus>;
  /** Calls back whenever a tab report may have changed; returns an unsubscribe function. */
  subscribe(onChange: () => void): () => void;
}

/** Hosting details for one tab: verdict, every address and why it was flagged, data attribution. */
export function Popup({ api }: { api: PopupApi }) {
  const [report, setReport] = useState<TabReport | null | undefined>(undefined);
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const refresh = () =>
      api.getReport().then(
        (next) => live && setReport(next),
        (e: unknown) => live && setError(String(e)),
      );
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
      {status && status.problems.length > 0 && (
        <ul class="problems" aria-label="Problems">
          {status.problems.map((p) => (
            <li key={p} role="alert">
              {p}
            </li>
          ))}
        </ul>
      )}
      <AboutData meta={status?.tableMeta ?? null} origin={status?.tableOrigin ?? 'none'} />
    </main>
  );
}

/** This component's own sentences (kept together for localisation). */
const TEXT = {
  notSaved:
    'CarrierFlag could not save this result (the browser’s storage for it is full). It is shown now, but may be lost if the browser restarts the extension.',
  omitted: (n: number) =>
    `${n} more address${n === 1 ? '' : 'es'} from DNS not listed, to save space; they do not change the verdict.`,
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
      {report.omittedAddresses ? <p>{TEXT.omitted(report.omittedAddresses)}</p> : null}
    </>
  );
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
