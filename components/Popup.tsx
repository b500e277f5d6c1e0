import { i18n } from '#i18n';
import { useEffect, useState } from 'preact/hooks';
import { displayValue } from '../lib/display-text';
import type { EngineStatus } from '../lib/messages';
import type { TableMeta } from '../lib/prefix-table';
import type { TabReport } from '../lib/tabs/types';
import type { PageHostsView } from '../lib/tabs/page-hosts';
import type { Verdict } from '../lib/verdict';
import { AboutData } from './AboutData';
import { groupName } from './lib-words';
import { PageHosts } from './PageHosts';
import { VerdictBanner } from './VerdictBanner';
import { Actions, type ActionsApi } from './popup/Actions';
import { ExpertDetails } from './popup/ExpertDetails';
import { networkWords } from './popup/PopupWords';

/** How the popup reaches the worker and the browser; main.tsx passes the real one. */
export interface PopupApi extends ActionsApi {
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
    // Everything from the worker goes through displayValue (lib/display-text.ts) once, here, where it
    // enters display: organisation names, alias targets, notes, proxy names and update messages show
    // a bidirectional override as `\u202e` in every component below.
    const fetchBoth = () =>
      Promise.all([
        api.getReport().then(
          (next) => live && setReport(displayValue(next)),
          (e: unknown) => live && setError(String(e)),
        ),
        api.getPageHosts().then(
          (next) => live && setPageHosts(displayValue(next)),
          (e: unknown) => live && setError(String(e)),
        ),
      ]);
    void refresh();
    void api.getStatus().then(
      (s) => live && setStatus(displayValue(s)),
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
          {i18n.t('popup.unreachable', { error })}
        </p>
      )}
      {report === undefined && !error && <p>{i18n.t('popup.loading')}</p>}
      {report === null && <p class="verdict verdict-none">{i18n.t('popup.noPage')}</p>}
      {report && <TabDetails report={report} meta={status?.tableMeta ?? null} api={api} />}
      {report && <PageHosts view={pageHosts} />}
      {status && status.problems.length > 0 && (
        <ul class="problems" aria-label={i18n.t('popup.problemsLabel')}>
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

function TabDetails({
  report,
  meta,
  api,
}: {
  report: TabReport;
  meta: TableMeta | null;
  api: PopupApi;
}) {
  const { verdict } = report;
  return (
    <>
      <VerdictBanner report={report} />
      {report.notSaved && (
        <p role="alert" class="problem" data-testid="not-saved">
          {i18n.t('popup.notSaved')}
        </p>
      )}
      {report.final &&
        caveats(report).map((caveat) => (
          <p key={caveat} class="caveat" data-testid="caveat">
            {caveat}
          </p>
        ))}
      {verdict.watchedConnection && (
        <p class="problem" data-testid="watched-connection">
          {i18n.t('popup.watchedConnection', {
            groups: watchedGroupNames(verdict.watchedConnection),
            ip: verdict.watchedConnection.ip,
          })}
        </p>
      )}
      {report.rememberedConnection && report.browserAddress !== undefined && (
        <p class="note" data-testid="remembered-connection">
          {i18n.t('popup.rememberedConnection', { ip: report.browserAddress })}
        </p>
      )}
      {verdict.proxy && (
        <ProxyLine
          proxy={verdict.proxy}
          fromDoh={report.doh.state === 'done'}
          judged={verdict.watchedConnection !== undefined}
        />
      )}
      {verdict.connectedElsewhere && !verdict.watchedConnection && (
        <p class="note" data-testid="connected-elsewhere">
          {i18n.t('popup.connectedElsewhere', { ip: verdict.connectedElsewhere })}
        </p>
      )}
      <Actions report={report} meta={meta} api={api} />
      <ExpertDetails report={report} meta={meta} />
    </>
  );
}

/**
 * The limits of a flagged verdict, where they apply: a registry record names who routes an
 * address, not always who runs the server; behind an alias chain or when the browser reached
 * another address than DNS gave, the address may be a CDN or anycast edge.
 */
function caveats(report: TabReport): string[] {
  const { verdict } = report;
  if (verdict.status !== 'flagged') return [];
  const lines = [i18n.t('popup.caveat.registry')];
  const aliased = report.doh.state === 'done' && report.doh.cnameChain.length > 0;
  // A local address the browser reached instead (a hosts-file entry, a local proxy) is no edge.
  const elsewhere = verdict.addresses.find((a) => a.ip === verdict.connectedElsewhere);
  const reachedPublicElsewhere = elsewhere !== undefined && elsewhere.lookup.kind !== 'local';
  if (aliased || reachedPublicElsewhere) lines.push(i18n.t('popup.caveat.edge'));
  return lines;
}

/** The groups of a watched connection in the user's words (a report stored before ids: as named). */
function watchedGroupNames(watched: NonNullable<Verdict['watchedConnection']>): string {
  const ids = watched.groupIds ?? [];
  return watched.groups.map((name, i) => groupName({ id: ids[i] ?? '', name })).join(', ');
}

/** The proxy as a fact about the connection, apart from the site's own addresses. */
function ProxyLine({
  proxy,
  fromDoh,
  judged,
}: {
  proxy: NonNullable<Verdict['proxy']>;
  fromDoh: boolean;
  /** The proxy is on a watched network, so it was judged (and flags) after all. */
  judged: boolean;
}) {
  const where =
    proxy.port === undefined
      ? proxy.address
      : i18n.t('popup.proxy.withPort', { address: proxy.address, port: String(proxy.port) });
  return (
    <p class="proxy" data-testid="proxy">
      <span class="label">{i18n.t('popup.proxy.through')}</span> <code>{where}</code> (
      {networkWords(proxy.lookup)}
      {proxy.type ? `, ${proxy.type}` : ''})
      <br />
      <small>
        {!judged && i18n.t('popup.proxy.note')}{' '}
        {!judged && fromDoh && i18n.t('popup.proxy.verdictFromDoh')} (
        {proxy.detectedBy === 'proxy-info'
          ? i18n.t('popup.proxy.fromBrowser')
          : i18n.t('popup.proxy.fromPattern')}
        )
      </small>
    </p>
  );
}
