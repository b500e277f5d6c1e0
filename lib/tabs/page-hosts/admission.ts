/**
 * Whether a host new to the page's list is kept (lib/tabs/page-hosts/limits.ts has the bounds):
 * within MAX_HOSTS_PER_TAB while the record, with the room held for every answer still awaited,
 * stays within its byte budget. Beyond, a host is kept only when the browser's own connection
 * already flags it; where that connection says nothing it is looked up (a bounded number per page)
 * and kept if the answer flags it; else it is only counted. A host that finds only the room held
 * for awaited answers short waits for it, counted meanwhile.
 */
import type { Settings } from '../../settings';
import type { PrefixLookup } from '../../verdict';
import type { CompiledWatchlist } from '../../watchlist/match';
import { connectionStatus } from './judge';
import {
  ADMIT_BELOW_BYTES,
  ANSWER_RESERVE_BYTES,
  HOST_GROWTH_BYTES,
  MAX_OVER_LIMIT_WATCHED,
  WATCHED_ADMIT_BELOW_BYTES,
} from './limits';
import type { HostLookups } from './lookups';
import {
  appendHost,
  committedBytes,
  countOverflow,
  pendingAnswerBytes,
  uncountOverflow,
  type Loaded,
  type StoredHost,
} from './record';

export interface AdmissionContext {
  maxHosts: number;
  table: Promise<PrefixLookup>;
  settings: Settings;
  matcher: CompiledWatchlist;
  lookups: HostLookups;
  persist(tabId: number): void;
  onChange(tabId: number): void;
}

/** Adds `host` (new to the list; `ip` its connected address) where it is admitted, or counts it. */
export async function admitHost(
  ctx: AdmissionContext,
  entry: Loaded,
  host: StoredHost,
  ip: string | undefined,
): Promise<void> {
  const { record } = entry;
  const { tabId } = record;
  const { hostname } = host;
  const awaiting = entry.awaitingRoom;
  if (awaiting?.has(hostname)) return;
  const size = JSON.stringify(host).length + 1 + HOST_GROWTH_BYTES;
  const overLimit = entry.beyondLimit;
  const committed = committedBytes(entry) + size;
  const withinCount = record.hosts.length - overLimit + (awaiting?.size ?? 0) < ctx.maxHosts;
  const answerRoom = host.doh.state === 'pending' ? ANSWER_RESERVE_BYTES : 0;
  const admitted = withinCount && committed + answerRoom < ADMIT_BELOW_BYTES;
  // What the browser's own connection says of a host not admitted (none seen: undefined).
  const connection =
    !admitted && ip !== undefined
      ? connectionStatus(hostname, ip, ctx.settings, await ctx.table, ctx.matcher)
      : undefined;
  if (
    withinCount &&
    !admitted &&
    connection !== 'flagged' &&
    host.doh.state === 'pending' &&
    committed - pendingAnswerBytes(entry) < ADMIT_BELOW_BYTES
  ) {
    // Only the room held for answers still awaited is short: the host waits for it, counted.
    (entry.awaitingRoom ??= new Map()).set(hostname, host);
    entry.bytes += countOverflow(record, hostname);
    ctx.persist(tabId);
    return;
  }
  if (!admitted) {
    const room = overLimit < MAX_OVER_LIMIT_WATCHED && committed < WATCHED_ADMIT_BELOW_BYTES;
    if (!room || connection !== 'flagged') {
      const firstSeen = countOverflow(record, hostname);
      entry.bytes += firstSeen;
      if (firstSeen > 0 && room && connection !== 'clean' && host.doh.state === 'pending') {
        ctx.lookups.lookupBeyondLimit(entry, host);
      }
      ctx.persist(tabId);
      return;
    }
    entry.bytes -= uncountOverflow(record, hostname);
    host.doh = { state: 'skipped', why: 'over-limit' };
    host.beyondLimit = true;
  }
  appendHost(entry, host, JSON.stringify(host).length + 1);
  ctx.persist(tabId);
  if (host.doh.state === 'pending') ctx.lookups.lookup(entry, hostname);
  ctx.onChange(tabId);
}
