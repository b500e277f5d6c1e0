import { i18n } from '#i18n';
import { useEffect, useState } from 'preact/hooks';
import { displayValue } from '../lib/display-text';
import type { DataUpdateStatus } from '../lib/data-update/service';
import type { EngineStatus } from '../lib/messages';
import type { TableMeta } from '../lib/prefix-table';
import type { TabReport } from '../lib/tabs/types';
import type { PageHostsView } from '../lib/tabs/page-hosts';
import { pageHeadline, type PageHeadline } from '../lib/tabs/page-verdict';
import type { Verdict } from '../lib/verdict';
import { AboutData } from './AboutData';
import { HostAccessNotice } from './HostAccessNotice';
import type { HostAccessApi } from './host-access-api';
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
  /** Starts a routing data update (or joins the running one); resolves when it has ended. */
  updateDataNow(): Promise<DataUpdateStatus>;
  /** Calls back whenever a tab report may have changed; returns an unsubscribe function. */
  subscribe(onChange: () => void): () => void;
  /** The extension's access to sites: without it the popup's first line asks for it. */
  hostAccess?: HostAccessApi;
}

/** The tab's report and its page's other hosts, fetched together so the headline never flips. */
interface TabAnswer {
  report: TabReport | null;
  pageHosts: PageHostsView | null;
}

/** Hosting details for one tab: verdict, every address and why it was flagged, data attribution. */
export function Popup({ api }: { api: PopupApi }) {
  const [answer, setAnswer] = useState<TabAnswer | undefined>(undefined);
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [countThirdPartyHosts, setCountThirdPartyHosts] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [updating, setUpdating] = useState(false);

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
    // a bidirectional override as `\u202e` in every component below. The report and the host list
    // are set together: the headline rests on both (an amber page is told by its hosts).
    const fetchBoth = async () => {
      try {
        const [report, pageHosts] = await Promise.all([api.getReport(), api.getPageHosts()]);
        if (live) setAnswer(displayValue({ report, pageHosts }));
      } catch (e) {
        // The last answer stays: no answer is not "no page in this tab".
        if (live) setError(String(e));
      }
    };
    void refresh();
    void api.getStatus().then(
      (s) => live && setStatus(displayValue(s)),
      (e: unknown) => live && setError(String(e)),
    );
    void api.getSettings().then(
      (s) => live && setCountThirdPartyHosts(s.countThirdPartyHosts),
      (e: unknown) => live && setError(String(e)),
    );
    const unsubscribe = api.subscribe(() => void refresh());
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);

  const updateNow = async () => {
    setUpdating(true);
    try {
      const dataUpdate = displayValue(await api.updateDataNow());
      setStatus((s) => (s ? { ...s, dataUpdate } : s));
      // A new table changes the data line too.
      setStatus(displayValue(await api.getStatus()));
    } catch (e) {
      setError(String(e));
    } finally {
      setUpdating(false);
    }
  };

  // Nothing, not even "loading", until the first answers: they come within milliseconds, and a
  // line shown meanwhile ("No prefix table loaded.") flashes wrong words on every open.
  const answered = answer !== undefined && status !== null && countThirdPartyHosts !== undefined;
  if (!answered && !error) return <main class="popup" aria-busy="true" />;
  const report = answer?.report ?? null;
  const pageHosts = answer?.pageHosts ?? null;
  const headline = report ? pageHeadline(report, pageHosts, countThirdPartyHosts ?? true) : null;
  return (
    <main class="popup" aria-live="polite">
      <h1 class="visually-hidden">CarrierFlag</h1>
      {api.hostAccess && <HostAccessNotice api={api.hostAccess} />}
      {error && (
        <p role="alert" class="problem">
          {i18n.t('popup.unreachable', { error })}
        </p>
      )}
      {answer && !report && <p class="verdict verdict-none">{i18n.t('popup.noPage')}</p>}
      {report && headline && (
        <TabDetails
          report={report}
          headline={headline}
          pageHosts={pageHosts}
          countThirdPartyHosts={countThirdPartyHosts ?? true}
          meta={status?.tableMeta ?? null}
          api={api}
        />
      )}
      {report && headline?.kind !== 'third-party' && <PageHosts view={pageHosts} />}
      {status && status.problems.length > 0 && (
        <ul class="problems" aria-label={i18n.t('popup.problemsLabel')}>
          {status.problems.map((p) => (
            <li key={p} role="alert">
              {p}
            </li>
          ))}
        </ul>
      )}
      {status && (
        <AboutData
          meta={status.tableMeta}
          origin={status.tableOrigin}
          update={status.dataUpdate}
          updating={updating}
          onUpdateNow={() => void updateNow()}
        />
      )}
    </main>
  );
}

function TabDetails({
  report,
  headline,
  pageHosts,
  countThirdPartyHosts,
  meta,
  api,
}: {
  report: TabReport;
  headline: PageHeadline;
  pageHosts: PageHostsView | null;
  countThirdPartyHosts: boolean;
  meta: TableMeta | null;
  api: PopupApi;
}) {
  const { verdict } = report;
  const flagged =
    headline.kind === 'flagged' ||
    headline.kind === 'probably-flagged' ||
    headline.kind === 'third-party';
  return (
    <>
      <VerdictBanner report={report} headline={headline} />
      {/* An amber page's evidence is its flagged hosts: listed first, under the headline. */}
      {headline.kind === 'third-party' && <PageHosts view={pageHosts} />}
      {report.notSaved && (
        <p role="alert" class="problem" data-testid="not-saved">
          {i18n.t('popup.notSaved')}
        </p>
      )}
      {flagged && (
        <p class="next-steps" data-testid="next-steps">
          {i18n.t('popup.headline.nextSteps')}
        </p>
      )}
      {flagged &&
        caveats(report, headline).map((caveat) => (
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
      <Actions
        report={report}
        meta={meta}
        pageHosts={pageHosts}
        countThirdPartyHosts={countThirdPartyHosts}
        api={api}
      />
      <ExpertDetails report={report} meta={meta} />
    </>
  );
}

/**
 * The limits of a flagged verdict (the site's or its third parties'), where they apply: a registry record names who routes an
 * address, not always who runs the server; behind an alias chain or when the browser reached
 * another address than DNS gave, the address may be a CDN or anycast edge.
 */
function caveats(report: TabReport, headline: PageHeadline): string[] {
  const { verdict } = report;
  const lines = [i18n.t('popup.caveat.registry')];
  // The edge caveat is about the site's own addresses; an amber page's site is not flagged.
  if (headline.kind === 'third-party') return lines;
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
