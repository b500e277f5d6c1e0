/**
 * A site's report judged (lib/verdict.ts, through lib/verdict-input.ts): its DoH outcome and the
 * browser's connection to it, behind a proxy the detector recognises (lib/proxy), with at most
 * REPORT_MAX_ADDRESSES of the answer kept. Final once nothing is awaited, or at once when flagged.
 */
import type { ProxyFact, ProxyJudgement, ConnectionSeen } from '../../proxy';
import { isAllowlisted, type Settings } from '../../settings';
import {
  BADGE_NEUTRAL_COLOR,
  badgeFor,
  buildVerdict,
  isOnWatchedNetwork,
  type BadgeWords,
  type PrefixLookup,
} from '../../verdict';
import { verdictInput, type DnsEvidence } from '../../verdict-input';
import type { CompiledWatchlist } from '../../watchlist/match';
import { literalAddress } from '../host-rules';
import type { Badge, DohState, TabReport } from '../types';
import { connectionOf } from './connection';
import { boundAddresses, browserOnly, REPORT_MAX_ADDRESSES } from './record';

export interface EvaluateContext {
  table: PrefixLookup;
  settings: Settings;
  matcher: CompiledWatchlist;
  judgeProxy(connection: ConnectionSeen): Promise<ProxyJudgement>;
  now(): number;
}

/** A site's DoH state as evidence for its verdict. */
export function siteDnsEvidence(doh: DohState): DnsEvidence {
  switch (doh.state) {
    case 'done':
      return { kind: 'answered', addresses: doh.addresses };
    case 'failed':
      return { kind: 'failed', error: doh.error };
    case 'pending':
      return { kind: 'awaited' };
    case 'skipped':
      return browserOnly(doh)
        ? { kind: 'browser-only', why: doh.why, message: 'no connection to the site was seen yet' }
        : { kind: 'not-needed' };
  }
}

/**
 * The report judged; `newProxy` is set when this report's connection just revealed a proxy
 * (every other report through it must be judged again).
 */
export async function evaluateReport(
  report: Omit<TabReport, 'verdict' | 'final' | 'updatedAt'>,
  ctx: EvaluateContext,
): Promise<{ report: TabReport; newProxy?: ProxyFact }> {
  const { table, matcher } = ctx;
  const allowlisted = isAllowlisted(report.hostname, ctx.settings.allowlist);
  const literal = literalAddress(report.hostname);
  // A remembered connection was judged when it was made; it must not count for the pattern again.
  const judged = report.rememberedConnection
    ? { proxy: report.proxy, newlyDetected: false }
    : await ctx.judgeProxy(connectionOf(report, (ip) => isOnWatchedNetwork(ip, table, matcher)));
  const proxy = judged.proxy;
  const seen = report.browserAddress !== undefined || proxy !== undefined;
  const judge = (doh: DohState) =>
    buildVerdict(
      verdictInput(
        { hostname: report.hostname, allowlisted, ...(literal ? { literal } : {}) },
        siteDnsEvidence(doh),
        {
          ...(report.browserAddress !== undefined ? { browserAddress: report.browserAddress } : {}),
          ...(proxy ? { proxy } : {}),
          ...(report.noConnection ? { noConnection: true } : {}),
        },
      ),
      table,
      matcher,
    );
  let doh = report.doh;
  let omittedAddresses = report.omittedAddresses;
  let verdict = judge(doh);
  if (doh.state === 'done' && doh.addresses.length > REPORT_MAX_ADDRESSES) {
    const kept = boundAddresses(doh.addresses, verdict);
    omittedAddresses = (omittedAddresses ?? 0) + doh.addresses.length - kept.length;
    doh = { ...doh, addresses: kept };
    verdict = judge(doh);
  }
  const waiting =
    doh.state === 'pending' || (browserOnly(doh) && !seen && report.noConnection !== true);
  const final = !waiting || verdict.status === 'flagged';
  const evaluated: TabReport = { ...report, proxy, doh, verdict, final, updatedAt: ctx.now() };
  if (omittedAddresses) evaluated.omittedAddresses = omittedAddresses;
  return proxy && judged.newlyDetected
    ? { report: evaluated, newProxy: proxy }
    : { report: evaluated };
}

/** The site's own badge: its verdict's, or a neutral "checking" one until the report is final. */
export function siteBadge(report: TabReport, words: BadgeWords): Badge {
  return report.final
    ? badgeFor(report.verdict, words)
    : { text: '', color: BADGE_NEUTRAL_COLOR, title: words.checking(report.hostname) };
}

/** The parts of `badge` that differ from what the tab shows (`shown`; undefined: unknown, all). */
export function changedParts(shown: Badge | undefined, badge: Badge): Set<keyof Badge> {
  const changed = new Set<keyof Badge>();
  for (const part of ['color', 'title', 'text'] as const) {
    if (shown?.[part] !== badge[part]) changed.add(part);
  }
  return changed;
}
