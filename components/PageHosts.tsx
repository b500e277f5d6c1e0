import { i18n } from '#i18n';
import type { PageHostsView, PageHostView } from '../lib/tabs/page-hosts';
import type { AddressEvidence } from '../lib/verdict';

/** Lists open by default up to this many hosts; longer ones start folded. */
const OPEN_UP_TO = 12;

/** The page's other hosts: a summary line, the flagged ones first, the rest in a folding list. */
export function PageHosts({ view }: { view: PageHostsView | null }) {
  if (!view) return null;
  const total = view.hosts.length + view.overflowHosts;
  // Every host after the list was full, the ones kept for their watched address included.
  const notLookedUp = view.overflowHosts + view.overLimitWatched;
  const flagged = view.hosts.filter((h) => h.verdict.status === 'flagged');
  const rest = view.hosts.filter((h) => h.verdict.status !== 'flagged');
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
          {notLookedUp > 0 && (
            <>
              {' '}
              ·{' '}
              {i18n.t('popup.pageHosts.overflow', {
                count: String(notLookedUp),
                max: String(view.maxHosts),
              })}
              {view.overLimitWatched > 0 && (
                <>
                  {' '}
                  ·{' '}
                  {i18n.t('popup.pageHosts.overLimitCaught', {
                    count: String(view.overLimitWatched),
                  })}
                </>
              )}
            </>
          )}
          {view.queueFull > 0 && (
            <> · {i18n.t('popup.pageHosts.queueFull', { count: String(view.queueFull) })}</>
          )}
        </p>
      )}
      {flagged.length > 0 && (
        <ul class="host-list" aria-label={i18n.t('popup.pageHosts.flaggedList')}>
          {flagged.map((h) => (
            <HostItem key={h.hostname} host={h} />
          ))}
        </ul>
      )}
      {rest.length > 0 && (
        <details open={rest.length <= OPEN_UP_TO}>
          <summary>{i18n.t('popup.pageHosts.others', { count: String(rest.length) })}</summary>
          <ul class="host-list">
            {rest.map((h) => (
              <HostItem key={h.hostname} host={h} />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function HostItem({ host }: { host: PageHostView }) {
  const { verdict } = host;
  const status = host.checking ? 'checking' : verdict.status;
  const mark = host.checking ? '…' : verdict.status === 'unchecked' ? '?' : '';
  return (
    <li class={`page-host page-host-${status}`} data-testid="page-host" data-host={host.hostname}>
      <span class="host-mark" aria-hidden="true">
        {mark}
      </span>{' '}
      <strong class="host-name">{host.hostname}</strong>{' '}
      <span class="host-status" data-testid="page-host-status">
        {statusText(host)}
      </span>{' '}
      <small class="label">{i18n.t('popup.pageHosts.requests', host.requests)}</small>
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
        groups: verdict.groups.map((g) => g.name).join(', '),
      });
    case 'clean':
      return i18n.t('popup.pageHosts.clean');
    case 'local':
      return i18n.t('popup.pageHosts.local');
    case 'allowlisted':
      return i18n.t('popup.pageHosts.allowlisted');
    case 'unchecked':
      return verdict.problem
        ? i18n.t('popup.pageHosts.uncheckedWhy', { problem: verdict.problem })
        : i18n.t('popup.pageHosts.unchecked');
  }
}

function AddressLine({ evidence }: { evidence: AddressEvidence }) {
  const { lookup } = evidence;
  const network =
    lookup.kind === 'routed'
      ? `AS${lookup.asn} ${lookup.org}`
      : lookup.kind === 'unrouted'
        ? i18n.t('popup.pageHosts.unrouted')
        : lookup.kind === 'local'
          ? i18n.t('popup.pageHosts.localAddress', { scope: lookup.scope })
          : lookup.reason;
  const groups = evidence.matches.map((m) => m.groupName).join(', ');
  return (
    <li class={evidence.matches.length > 0 ? 'matched' : undefined}>
      <code>{evidence.ip}</code> {network}
      {groups && <strong> · {groups}</strong>}
    </li>
  );
}
