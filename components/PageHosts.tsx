import type { PageHostsView, PageHostView } from '../lib/tabs/page-hosts';
import type { AddressEvidence } from '../lib/verdict';

/** Every string this component shows, in one place for localisation. */
const TEXT = {
  heading: 'Other hosts this page loads from',
  summary: (flagged: number, total: number) =>
    `${flagged} of ${total} ${total === 1 ? 'host' : 'hosts'} on watched networks`,
  checking: (count: number) => `${count} still being checked`,
  overflow: (count: number, max: number) =>
    `${count} more not listed (the list keeps the first ${max})`,
  none: 'The page has loaded nothing from other hosts yet.',
  flaggedList: 'Hosts on watched networks',
  others: (count: number) => `Other hosts (${count})`,
  requests: (count: number) => (count === 1 ? '1 request' : `${count} requests`),
  status: {
    checking: 'checking…',
    flagged: (groups: string) => `on ${groups}`,
    clean: 'not on a watched network',
    local: 'local network, not checked',
    allowlisted: 'on your allowlist, not checked',
    unchecked: (problem?: string) => `could not be checked${problem ? `: ${problem}` : ''}`,
  },
  omitted: (count: number) => `and ${count} more addresses`,
  unrouted: 'not routed',
  localAddress: (scope: string) => `local (${scope})`,
} as const;

/** Lists open by default up to this many hosts; longer ones start folded. */
const OPEN_UP_TO = 12;

/** The page's other hosts: a summary line, the flagged ones first, the rest in a folding list. */
export function PageHosts({ view }: { view: PageHostsView | null }) {
  if (!view) return null;
  const total = view.hosts.length + view.overflowHosts;
  const flagged = view.hosts.filter((h) => h.verdict.status === 'flagged');
  const rest = view.hosts.filter((h) => h.verdict.status !== 'flagged');
  return (
    <section class="page-hosts" aria-labelledby="page-hosts-heading" data-testid="page-hosts">
      <h2 id="page-hosts-heading">{TEXT.heading}</h2>
      {total === 0 ? (
        <p>{TEXT.none}</p>
      ) : (
        <p data-testid="page-hosts-summary">
          {TEXT.summary(view.flagged, total)}
          {view.checking > 0 && <> · {TEXT.checking(view.checking)}</>}
          {view.overflowHosts > 0 && <> · {TEXT.overflow(view.overflowHosts, view.maxHosts)}</>}
        </p>
      )}
      {flagged.length > 0 && (
        <ul class="host-list" aria-label={TEXT.flaggedList}>
          {flagged.map((h) => (
            <HostItem key={h.hostname} host={h} />
          ))}
        </ul>
      )}
      {rest.length > 0 && (
        <details open={rest.length <= OPEN_UP_TO}>
          <summary>{TEXT.others(rest.length)}</summary>
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
      <small class="label">{TEXT.requests(host.requests)}</small>
      {verdict.addresses.length > 0 && (
        <ul class="host-addresses">
          {verdict.addresses.map((a) => (
            <AddressLine key={a.ip} evidence={a} />
          ))}
          {host.omittedAddresses ? <li>{TEXT.omitted(host.omittedAddresses)}</li> : null}
        </ul>
      )}
    </li>
  );
}

function statusText(host: PageHostView): string {
  const { verdict } = host;
  if (host.checking) return TEXT.status.checking;
  switch (verdict.status) {
    case 'flagged':
      return TEXT.status.flagged(verdict.groups.map((g) => g.name).join(', '));
    case 'clean':
      return TEXT.status.clean;
    case 'local':
      return TEXT.status.local;
    case 'allowlisted':
      return TEXT.status.allowlisted;
    case 'unchecked':
      return TEXT.status.unchecked(verdict.problem);
  }
}

function AddressLine({ evidence }: { evidence: AddressEvidence }) {
  const { lookup } = evidence;
  const network =
    lookup.kind === 'routed'
      ? `AS${lookup.asn} ${lookup.org}`
      : lookup.kind === 'unrouted'
        ? TEXT.unrouted
        : lookup.kind === 'local'
          ? TEXT.localAddress(lookup.scope)
          : lookup.reason;
  const groups = evidence.matches.map((m) => m.groupName).join(', ');
  return (
    <li class={evidence.matches.length > 0 ? 'matched' : undefined}>
      <code>{evidence.ip}</code> {network}
      {groups && <strong> · {groups}</strong>}
    </li>
  );
}
