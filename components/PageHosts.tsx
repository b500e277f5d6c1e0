import { i18n } from '#i18n';
import { useState } from 'preact/hooks';
import type { PageHostsView, PageHostView } from '../lib/tabs/page-hosts';
import type { AddressEvidence } from '../lib/verdict';
import {
  groupName,
  matchGroupName,
  problemDetailWords,
  scopeWords,
  unreadableWords,
} from './lib-words';

/**
 * Rows shown before "Show all N hosts": the flagged hosts come first, so a few of them are seen at
 * once and the popup stays short on a page that loads from dozens of hosts.
 */
export const HOSTS_SHOWN_FOLDED = 3;

/**
 * The page's other hosts: a summary line, the flagged ones first, then the rest; past
 * HOSTS_SHOWN_FOLDED rows the list is folded behind a "Show all N hosts" toggle. Folded rows stay in
 * the document (`hidden`), so the list keeps its order and nothing is fetched again on opening.
 */
export function PageHosts({ view }: { view: PageHostsView | null }) {
  const [expanded, setExpanded] = useState(false);
  if (!view) return null;
  const total = view.hosts.length + view.overflowHosts;
  const flagged = view.hosts.filter((h) => h.verdict.status === 'flagged');
  const rest = view.hosts.filter((h) => h.verdict.status !== 'flagged');
  const listed = flagged.length + rest.length;
  const folds = listed > HOSTS_SHOWN_FOLDED;
  const shownAt = (index: number) => expanded || !folds || index < HOSTS_SHOWN_FOLDED;
  return (
    <section class="page-hosts" aria-labelledby="page-hosts-heading" data-testid="page-hosts">
      <h2 id="page-hosts-heading">{i18n.t('popup.pageHosts.heading')}</h2>
      {total === 0 ? (
        <p>{i18n.t('popup.pageHosts.none')}</p>
      ) : (
        <p data-testid="page-hosts-summary">
          {i18n.t('popup.pageHosts.summary', total, { flagged: String(view.flagged) })}
          {view.checking > 0 && (
            <> · {i18n.t('popup.pageHosts.checking', { count: String(view.checking) })}</>
          )}
          {view.overflowHosts > 0 && (
            <>
              {' '}
              ·{' '}
              {i18n.t('popup.pageHosts.overflow', {
                count: String(view.overflowHosts),
                max: String(view.maxHosts),
              })}
            </>
          )}
          {view.overLimitWatched > 0 && (
            <>
              {' '}
              ·{' '}
              {i18n.t('popup.pageHosts.overLimitCaught', {
                count: String(view.overLimitWatched),
                max: String(view.maxHosts),
              })}
            </>
          )}
          {view.queueFull > 0 && (
            <> · {i18n.t('popup.pageHosts.queueFull', { count: String(view.queueFull) })}</>
          )}
        </p>
      )}
      <div id="page-host-lists">
        {flagged.length > 0 && (
          <ul class="host-list" aria-label={i18n.t('popup.pageHosts.flaggedList')}>
            {flagged.map((h, i) => (
              <HostItem
                key={h.hostname}
                host={h}
                shown={shownAt(i)}
                blocked={view.blockedHosts?.includes(h.hostname) ?? false}
              />
            ))}
          </ul>
        )}
        {rest.length > 0 && (
          <ul
            class="host-list"
            aria-label={i18n.t('popup.pageHosts.others', { count: String(rest.length) })}
            hidden={!shownAt(flagged.length)}
          >
            {rest.map((h, i) => (
              <HostItem key={h.hostname} host={h} shown={shownAt(flagged.length + i)} />
            ))}
          </ul>
        )}
      </div>
      {folds && (
        <button
          type="button"
          class="host-toggle"
          data-testid="page-hosts-toggle"
          aria-controls="page-host-lists"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
        >
          {expanded
            ? i18n.t('popup.pageHosts.showFewer')
            : i18n.t('popup.pageHosts.showAll', { count: String(listed) })}
        </button>
      )}
    </section>
  );
}

function HostItem({
  host,
  shown,
  blocked = false,
}: {
  host: PageHostView;
  shown: boolean;
  /** Its requests are blocked now ("Warn or block", blocking flagged hosts). */
  blocked?: boolean;
}) {
  const { verdict } = host;
  const status = host.checking ? 'checking' : verdict.status;
  const mark = host.checking ? '…' : verdict.status === 'unchecked' ? '?' : '';
  return (
    <li
      class={`page-host page-host-${status}`}
      data-testid="page-host"
      data-host={host.hostname}
      hidden={!shown}
    >
      <span class="host-mark" aria-hidden="true">
        {mark}
      </span>{' '}
      <strong class="host-name">{host.hostname}</strong>{' '}
      <span class="host-status" data-testid="page-host-status">
        {statusText(host)}
      </span>{' '}
      <small class="label">{i18n.t('popup.pageHosts.requests', host.requests)}</small>
      {blocked && (
        <>
          {' '}
          <strong class="label blocked" data-testid="page-host-blocked">
            {i18n.t('flagAction.blockedHost')}
          </strong>
        </>
      )}
      {host.notLookedUp && (
        <>
          {' '}
          <small class="label" data-testid="page-host-not-looked-up">
            {i18n.t('popup.pageHosts.notLookedUp')}
          </small>
        </>
      )}
      {verdict.addresses.length > 0 && (
        <ul class="host-addresses">
          {verdict.addresses.map((a) => (
            <AddressLine key={a.ip} evidence={a} />
          ))}
          {host.omittedAddresses ? (
            <li>{i18n.t('popup.pageHosts.omitted', host.omittedAddresses)}</li>
          ) : null}
        </ul>
      )}
    </li>
  );
}

function statusText(host: PageHostView): string {
  const { verdict } = host;
  if (host.checking) return i18n.t('popup.pageHosts.checkingHost');
  switch (verdict.status) {
    case 'flagged':
      return i18n.t('popup.pageHosts.flagged', {
        groups: verdict.groups.map(groupName).join(', '),
      });
    case 'clean':
      return i18n.t('popup.pageHosts.clean');
    case 'local':
      return i18n.t('popup.pageHosts.local');
    case 'allowlisted':
      return i18n.t('popup.pageHosts.allowlisted');
    case 'unchecked':
      return verdict.problem || verdict.problemKind
        ? i18n.t('popup.pageHosts.uncheckedWhy', { problem: problemDetailWords(verdict) })
        : i18n.t('popup.pageHosts.unchecked');
  }
}

function AddressLine({ evidence }: { evidence: AddressEvidence }) {
  const { lookup } = evidence;
  // The organisation is the routing data's name for the network, shown as the data has it.
  const network =
    lookup.kind === 'routed' ? (
      <>
        AS{lookup.asn} <span class="org">{lookup.org}</span>
      </>
    ) : lookup.kind === 'unrouted' ? (
      i18n.t('popup.pageHosts.unrouted')
    ) : lookup.kind === 'local' ? (
      i18n.t('popup.pageHosts.localAddress', { scope: scopeWords(lookup.scope) })
    ) : (
      unreadableWords(lookup.reason)
    );
  const groups = evidence.matches.map(matchGroupName).join(', ');
  return (
    <li class={evidence.matches.length > 0 ? 'matched' : undefined}>
      <code>{evidence.ip}</code> {network}
      {groups && <strong> · {groups}</strong>}
    </li>
  );
}
