import { i18n } from '#i18n';
import type { TableMeta } from '../../lib/prefix-table';
import type { TabReport } from '../../lib/tabs/types';
import { rangeAsCidr, tableDate } from '../../lib/tabs/report-text';
import type { AddressEvidence } from '../../lib/verdict';
import type { GroupMatch } from '../../lib/watchlist/model';
import {
  matchGroupName,
  noteShown,
  problemDetailWords,
  scopeWords,
  unreadableWords,
} from '../lib-words';
import { confidenceWords, originWords } from './PopupWords';

/** Where an origin AS can be looked up, by name (the same in every language). */
const AS_LOOKUP_SITES = [
  { name: 'RIPEstat', url: (asn: number) => `https://stat.ripe.net/AS${asn}` },
  { name: 'bgp.tools', url: (asn: number) => `https://bgp.tools/as/${asn}` },
] as const;

/**
 * What an expert checks, one click away: the site and its alias chain, every address with where it
 * came from, its origin AS and range as CIDR and the watchlist entry it matched, and the data set.
 */
export function ExpertDetails({ report, meta }: { report: TabReport; meta: TableMeta | null }) {
  const { verdict } = report;
  return (
    <details class="expert" data-testid="details">
      <summary>{i18n.t('popup.details.summary')}</summary>
      <p class="hostname">
        <span class="label">{i18n.t('popup.details.site')}</span>{' '}
        <strong data-testid="hostname">{report.hostname}</strong>
      </p>
      {report.doh.state === 'done' && report.doh.cnameChain.length > 0 && (
        <p class="cname" data-testid="alias-chain">
          <span class="label">{i18n.t('popup.details.aliasChain')}</span>{' '}
          {[report.hostname, ...report.doh.cnameChain].join(' → ')}
        </p>
      )}
      {report.doh.state === 'done' && report.doh.retried && (
        <p class="dns-retried" data-testid="dns-retried">
          {i18n.t('popup.retried')}
        </p>
      )}
      {verdict.problem && (
        <p data-testid="problem-detail">
          {i18n.t('popup.details.problem', { problem: problemDetailWords(verdict) })}
        </p>
      )}
      {verdict.addresses.length > 0 ? (
        <table class="addresses" aria-label={i18n.t('popup.details.addresses')}>
          <thead>
            <tr>
              <th scope="col">{i18n.t('popup.details.address')}</th>
              <th scope="col">{i18n.t('popup.details.seenVia')}</th>
              <th scope="col">{i18n.t('popup.details.network')}</th>
              <th scope="col">{i18n.t('popup.details.watchlist')}</th>
            </tr>
          </thead>
          <tbody>
            {verdict.addresses.map((a) => (
              <AddressRow key={a.ip} evidence={a} />
            ))}
          </tbody>
        </table>
      ) : (
        report.final && <p>{i18n.t('popup.details.noAddresses')}</p>
      )}
      {report.omittedAddresses ? (
        <p>{i18n.t('popup.details.omitted', report.omittedAddresses)}</p>
      ) : null}
      <p class="dataset" data-testid="dataset">
        {datasetLine(meta)}
      </p>
    </details>
  );
}

function datasetLine(meta: TableMeta | null): string {
  if (!meta) return i18n.t('popup.details.noDataset');
  const date = tableDate(meta.sourceVersion);
  const names = { source: meta.source, version: meta.sourceVersion };
  return date
    ? i18n.t('popup.details.datasetDated', { ...names, date })
    : i18n.t('popup.details.dataset', names);
}

function AddressRow({ evidence }: { evidence: AddressEvidence }) {
  const { lookup } = evidence;
  return (
    <tr class={evidence.matches.length > 0 ? 'matched' : undefined} data-testid="address-row">
      <td>
        <code>{evidence.ip}</code>
      </td>
      <td>{evidence.origins.map(originWords).join(', ')}</td>
      <td>
        {evidence.embedded && (
          <>
            <span data-testid="embedded">{carriesWords(evidence.embedded)}</span>
            <br />
          </>
        )}
        {lookup.kind === 'routed' && (
          <>
            <span class="asn">AS{lookup.asn}</span> <span class="org">{lookup.org}</span>
            <br />
            <small>
              <code>{i18n.t('popup.details.range', { range: rangeAsCidr(lookup) ?? '' })}</code>
            </small>
            <br />
            <small>
              {i18n.t('popup.details.lookUp')}{' '}
              {AS_LOOKUP_SITES.map((site, i) => (
                <>
                  {i > 0 && ' · '}
                  <a href={site.url(lookup.asn)} target="_blank" rel="noreferrer noopener">
                    {site.name}
                  </a>
                </>
              ))}
            </small>
          </>
        )}
        {lookup.kind === 'unrouted' && <span>{i18n.t('popup.details.unrouted')}</span>}
        {lookup.kind === 'local' && (
          <span>{i18n.t('popup.details.local', { scope: scopeWords(lookup.scope) })}</span>
        )}
        {lookup.kind === 'invalid' && (
          <span>
            {i18n.t('popup.details.unreadable', { reason: unreadableWords(lookup.reason) })}
          </span>
        )}
      </td>
      <td>
        {evidence.matches.length === 0
          ? '—'
          : evidence.matches.map((m) => <MatchEntry key={m.groupId} match={m} />)}
      </td>
    </tr>
  );
}

/**
 * "carries IPv4 202.96.128.86 (NAT64)": the network cell then describes that IPv4 address, which is
 * what was judged (lib/verdict.ts).
 */
function carriesWords(embedded: NonNullable<AddressEvidence['embedded']>): string {
  const ipv4 = embedded.ipv4;
  switch (embedded.kind) {
    case 'nat64':
      return i18n.t('popup.details.carries.nat64', { ipv4 });
    case 'nat64-local':
      return i18n.t('popup.details.carries.nat64Local', { ipv4 });
    case '6to4':
      return i18n.t('popup.details.carries.sixToFour', { ipv4 });
    case 'teredo':
      return i18n.t('popup.details.carries.teredo', { ipv4 });
  }
}

/** The watchlist entry that matched: the group, the ASN or prefix, its confidence and note. */
function MatchEntry({ match }: { match: GroupMatch }) {
  const note = noteShown(match.groupId, match.note);
  return (
    <div class="match">
      <strong>{matchGroupName(match)}</strong>{' '}
      {match.reason.kind === 'asn'
        ? `(${i18n.t('popup.details.entryAsn', { asn: String(match.reason.asn) })}, ${confidenceWords(match.confidence)})`
        : match.reason.kind === 'name'
          ? `(${i18n.t('popup.details.entryName', { asn: String(match.reason.asn) })}, ${confidenceWords(match.confidence)})`
          : `(${i18n.t('popup.details.entryPrefix', { prefix: match.reason.prefix })})`}
      {/* A name match's note is lib's English; the entry line above says it in the user's words. */}
      {note && match.reason.kind !== 'name' && (
        <>
          <br />
          <small>{note}</small>
        </>
      )}
    </div>
  );
}
