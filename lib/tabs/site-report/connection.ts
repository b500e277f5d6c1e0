/**
 * What a site's report knows of the browser's connection to it: the address, the proxy it went
 * through, or a connection remembered from an earlier visit (lib/tabs/connection-memory.ts), and
 * what the proxy detector (lib/proxy) is told of it.
 */
import type { ConnectionSeen, ProxyFact } from '../../proxy';
import type { RememberedConnection } from '../connection-memory';
import type { TabReport } from '../types';

/** What a report knows of the browser's connection to its site. */
export type ConnectionKnown = Pick<
  TabReport,
  'browserAddress' | 'proxy' | 'rememberedConnection' | 'noConnection'
>;

/** Whether anything is known of the connection: an address, a proxy, or a remembered one. */
export function hasConnection(known: ConnectionKnown): boolean {
  return known.browserAddress !== undefined || known.proxy !== undefined;
}

/** Whether the report has a connection of its own navigation (not a remembered one). */
export function hasOwnConnection(report: ConnectionKnown): boolean {
  return hasConnection(report) && !report.rememberedConnection;
}

/** What the report knows of its connection, to carry over into a fresh report. */
export function connectionKnown(report: TabReport): ConnectionKnown {
  const { browserAddress, proxy, rememberedConnection, noConnection } = report;
  return withConnection({}, { browserAddress, proxy, rememberedConnection, noConnection });
}

/** A remembered connection as what a report knows. */
export function rememberedKnown(last: RememberedConnection): ConnectionKnown {
  const known: ConnectionKnown = { browserAddress: last.ip, rememberedConnection: { at: last.at } };
  if (last.proxy) known.proxy = last.proxy;
  return known;
}

/** `report` with its connection replaced by `known` (no field left set to undefined). */
export function withConnection<T extends ConnectionKnown>(report: T, known: ConnectionKnown): T {
  const {
    browserAddress: _a,
    proxy: _p,
    rememberedConnection: _r,
    noConnection: _n,
    ...rest
  } = report;
  const next = { ...rest } as T;
  if (known.browserAddress !== undefined) next.browserAddress = known.browserAddress;
  if (known.proxy !== undefined) next.proxy = known.proxy;
  if (known.rememberedConnection !== undefined) {
    next.rememberedConnection = known.rememberedConnection;
  }
  if (known.noConnection) next.noConnection = true;
  return next;
}

/** The proxy the browser itself named for this report's connection (not one the pattern found). */
export function reportedProxy(report: Pick<TabReport, 'proxy'>): ProxyFact | undefined {
  return report.proxy?.detectedBy === 'proxy-info' ? report.proxy : undefined;
}

/** What the proxy detector needs to know about a report's connection. */
export function connectionOf(
  report: Pick<TabReport, 'hostname' | 'browserAddress' | 'proxy' | 'doh'>,
  watched: (ip: string) => boolean,
): ConnectionSeen {
  const { doh } = report;
  return {
    watched: {
      connected: report.browserAddress !== undefined && watched(report.browserAddress),
      dns: doh.state === 'done' && doh.addresses.some(watched),
    },
    host: report.hostname,
    ip: report.browserAddress,
    reported: reportedProxy(report),
    dns:
      doh.state === 'done' && doh.addresses.length > 0
        ? doh.addresses
        : doh.state === 'pending'
          ? 'not-yet'
          : doh.state === 'skipped' && doh.why !== 'privacy-mode'
            ? 'not-recorded'
            : 'unanswered',
  };
}
