/**
 * A tab's host list as stored (`hosts:<id>` in storage.session) and the pure rules over it: which
 * hosts a new page keeps, what the record may still grow to (the byte budget, lib/tabs/page-hosts/
 * limits.ts), and how hosts over the limit are counted without their names.
 */
import { HOSTS_KEY_PREFIX } from '../../storage/session-keys';
import type { Verdict } from '../../verdict';
import { isWebUrl } from '../host-rules';
import type { DohState } from '../types';
import {
  ANSWER_RESERVE_BYTES,
  HOST_GROWTH_BYTES,
  MAX_OVERFLOW_TRACKED,
  OVERFLOW_HASH_BYTES,
} from './limits';

export const RECORD_VERSION = 1;
export const hostsKey = (tabId: number) => `${HOSTS_KEY_PREFIX}${tabId}`;
/** Earlier top-level documents a record remembers, and documents a host remembers. */
const MAX_PAST_DOCUMENTS = 4;
const MAX_HOST_DOCUMENTS = 3;

/**
 * Whether `host` was requested by the page whose document is `documentId` (when known) and whose
 * requests began at `fromAt`: by its document where the browser named one, else by time. A host
 * only old documents requested is the old page's however late their requests started.
 */
export function requestedSince(
  host: StoredHost,
  fromAt: number,
  documentId: string | undefined,
): boolean {
  if (documentId !== undefined && host.documents?.includes(documentId)) return true;
  if (host.lastAt !== undefined) return host.lastAt >= fromAt;
  // Only documented requests, but this commit named no document: keep it rather than hide it.
  return host.documents !== undefined && documentId === undefined;
}

/**
 * Why a kept host was not looked up: it came after the list was full and was kept because the
 * browser connected to a watched address, or its tab already had MAX_QUEUED_LOOKUPS_PER_TAB waiting.
 */
export type NotLookedUpReason = 'over-limit' | 'queue-full';

/**
 * A third-party host's DoH evidence: the site's states; not looked up for want of room; or not
 * looked up because the browser's connection to it already says where its data went ('connected',
 * see isUsableWitness).
 */
export type HostDoh =
  DohState | { state: 'skipped'; why: NotLookedUpReason } | { state: 'skipped'; why: 'connected' };

/** One third-party host as stored: its evidence, not its verdict. */
export interface StoredHost {
  hostname: string;
  /** Kept beyond MAX_HOSTS_PER_TAB because it flagged (by its connection or a lookup beyond the limit). */
  beyondLimit?: true;
  /** Requests of the page to this host (responses and failures). */
  requests: number;
  /** The first address the browser connected to for this host: the second witness. */
  browserAddress?: string;
  /** `browserAddress` is a proxy's (lib/tabs/host-witness.ts): it cannot stand in for a lookup. */
  viaProxy?: true;
  doh: HostDoh;
  /** DoH addresses beyond MAX_ADDRESSES_PER_HOST that were not kept. */
  omittedAddresses?: number;
  /** CNAME targets beyond MAX_ALIASES_PER_HOST (or MAX_ALIAS_BYTES_PER_HOST) that were not kept. */
  omittedAliases?: number;
  /** The record's request counter at this host's latest request. */
  lastSeq: number;
  /**
   * When this host's latest request started (the browser's time, see requestSeen), when known: of
   * its requests whose top-level document is not known (subframes, Firefox, a restarted worker).
   */
  lastAt?: number;
  /** The top-level documents whose requests reached this host (where the browser names them), most recent last. */
  documents?: string[];
}

/** A tab's third-party hosts for its current page, as stored under `hosts:<tabId>`. */
export interface PageHostsRecord {
  version: typeof RECORD_VERSION;
  tabId: number;
  /** Distinguishes pages. */
  pageId: string;
  pageUrl: string;
  /** The page's own host: its requests are the site's, judged by the tab report, not listed here. */
  siteHostname: string;
  /** In order of first request. */
  hosts: StoredHost[];
  /** Distinct hosts seen after the list was full and not kept (at least this many). */
  overflowHosts: number;
  /** Lookups started for hosts beyond the limit (at most MAX_LOOKUPS_BEYOND_LIMIT). */
  lookupsBeyondLimit?: number;
  overflowHashes: number[];
  /** Counts the requests seen, so hosts can be told apart by when they were last requested. */
  seq: number;
  /** `seq` when the latest main-frame response started: the next page's requests come after it. */
  nextPageFrom?: number;
  /*
   * The browser's event times (ms), which order events however late each reaches the worker: the
   * worker may see a page's first scripts, and even its commit, before its main-frame response.
   */
  /** The latest top-level navigation's start, not yet committed. */
  navigationStartedAt?: number;
  /** The latest main-frame response's start, not yet committed. */
  nextPageFromAt?: number;
  /** This page's commit. */
  committedAt?: number;
  /** This page's main-frame response (or, until that is seen, its navigation's start): earlier requests are another page's. */
  pageFromAt?: number;
  /** This page's document (the browser's documentId): its requests are this page's whenever they started. */
  documentId?: string;
  /** The tab's earlier top-level documents, most recent first: their requests are never this page's. */
  pastDocuments?: string[];
}

/** One host as the popup shows it. */
export interface PageHostView {
  hostname: string;
  requests: number;
  /** The DoH answer is still awaited. */
  checking: boolean;
  verdict: Verdict;
  omittedAddresses?: number;
  /** Not looked up: the verdict rests on the address the browser connected to. */
  notLookedUp?: NotLookedUpReason;
}

/** The popup's view of a tab's hosts: flagged first, then unchecked, checking, the rest. */
export interface PageHostsView {
  tabId: number;
  pageUrl: string;
  siteHostname: string;
  hosts: PageHostView[];
  flagged: number;
  checking: number;
  /** Hosts after the list was full, neither looked up nor kept. */
  overflowHosts: number;
  /** Hosts after the list was full, not looked up, kept because their connected address is watched. */
  overLimitWatched: number;
  /** Hosts not looked up yet because too many of the tab's were waiting ('queue-full'). */
  queueFull: number;
  maxHosts: number;
  /** Of `hosts`, those whose requests are blocked now (lib/flag-action; set by the worker). */
  blockedHosts?: string[];
}

/** What the badge needs to know about the third-party hosts of a tab's page. */
export interface ThirdPartySummary {
  siteHostname: string;
  total: number;
  checking: number;
  /** Flagged hosts in order of first request, each with its matched groups. */
  flagged: {
    hostname: string;
    groups: { id: string; name: string; code: string }[];
    /** The watched networks (ASN, organisation) its matched addresses are on (the history's). */
    networks?: { asn: number; org: string }[];
  }[];
}

export interface Loaded {
  record: PageHostsRecord;
  /** Hosts beyond the limit whose lookup a full queue refused, to ask again (memory only). */
  refusedBeyondLimit?: StoredHost[];
  /**
   * Hosts within the limit that arrived while the room held for awaited answers filled the budget:
   * counted as overflow for now, listed and looked up as answers come in (memory only).
   */
  awaitingRoom?: Map<string, StoredHost>;
  /** hostname → position in record.hosts */
  index: Map<string, number>;
  /** Running JSON size of the record, checked against the byte budget. */
  bytes: number;
  /** Hosts whose answer is awaited, and hosts kept beyond the limit: kept as hosts change. */
  pending: number;
  beyondLimit: number;
  /** Bumped by every change of the hosts (views judged before it are rebuilt). */
  revision: number;
}

/**
 * The new page's list (`record`, fresh): the hosts requested since its main-frame response
 * started. With event
 * times, by time: since the response if it has been seen, else since the navigation started (the
 * response, when it arrives, narrows it). Without them, by arrival order.
 */
export function nextPage(
  previous: Loaded | undefined,
  record: PageHostsRecord,
  at: number | undefined,
  documentId: string | undefined,
): PageHostsRecord {
  if (at !== undefined) record.committedAt = at;
  if (documentId !== undefined) record.documentId = documentId;
  if (!previous) return record;
  const old = previous.record;
  const past = [old.documentId, ...(old.pastDocuments ?? [])].filter(
    (d): d is string => d !== undefined && d !== documentId,
  );
  if (past.length > 0) record.pastDocuments = past.slice(0, MAX_PAST_DOCUMENTS);
  const notAfterCommit = (t: number | undefined) =>
    t !== undefined && (at === undefined || t <= at) ? t : undefined;
  const fromAt = notAfterCommit(old.nextPageFromAt) ?? notAfterCommit(old.navigationStartedAt);
  const keep = (h: StoredHost) => h.hostname !== record.siteHostname;
  record.seq = old.seq;
  if (fromAt !== undefined) {
    record.pageFromAt = fromAt;
    record.hosts = old.hosts.filter((h) => keep(h) && requestedSince(h, fromAt, documentId));
  } else if (old.nextPageFrom !== undefined) {
    const from = old.nextPageFrom;
    record.hosts = old.hosts.filter((h) => keep(h) && h.lastSeq > from);
  }
  return record;
}

/**
 * What the record takes once everything already promised has arrived: every awaited answer,
 * every kept host's growth, every overflow hash still to be counted.
 */
export function pendingAnswerBytes(entry: Loaded): number {
  return entry.pending * ANSWER_RESERVE_BYTES;
}

export function committedBytes(entry: Loaded): number {
  const { hosts, overflowHashes } = entry.record;
  return (
    entry.bytes +
    pendingAnswerBytes(entry) +
    hosts.length * HOST_GROWTH_BYTES +
    Math.max(0, MAX_OVERFLOW_TRACKED - overflowHashes.length) * OVERFLOW_HASH_BYTES
  );
}

export function replaceHost(entry: Loaded, position: number, host: StoredHost): void {
  const before = entry.record.hosts[position];
  entry.bytes += JSON.stringify(host).length - (before ? JSON.stringify(before).length : 0);
  if (before) countHost(entry, before, -1);
  countHost(entry, host, 1);
  entry.record.hosts[position] = host;
}

/** Adds a host at the end of the list; `size` is its JSON length with its comma. */
export function appendHost(entry: Loaded, host: StoredHost, size: number): void {
  entry.index.set(host.hostname, entry.record.hosts.length);
  entry.record.hosts.push(host);
  entry.bytes += size;
  countHost(entry, host, 1);
}

function countHost(entry: Loaded, host: StoredHost, by: 1 | -1): void {
  if (host.doh.state === 'pending') entry.pending += by;
  if (isBeyondLimit(host)) entry.beyondLimit += by;
  entry.revision += 1;
}

/** Counts a host not kept, once; returns the bytes this added to the record. */
export function countOverflow(record: PageHostsRecord, hostname: string): number {
  const hash = fnv1a(hostname);
  if (record.overflowHashes.includes(hash)) return 0;
  if (record.overflowHashes.length >= MAX_OVERFLOW_TRACKED) return 0;
  record.overflowHashes.push(hash);
  record.overflowHosts += 1;
  return String(hash).length + 1;
}

/** A counted host is kept after all (a later request connected to a watched address). */
export function uncountOverflow(record: PageHostsRecord, hostname: string): number {
  const at = record.overflowHashes.indexOf(fnv1a(hostname));
  if (at < 0) return 0;
  const [hash] = record.overflowHashes.splice(at, 1);
  record.overflowHosts -= 1;
  return String(hash).length + 1;
}

export function isRecord(value: unknown): value is PageHostsRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { version?: unknown }).version === RECORD_VERSION &&
    Array.isArray((value as { hosts?: unknown }).hosts)
  );
}

/** `documents` with `documentId` last, at most MAX_HOST_DOCUMENTS. */
export function withDocument(documents: string[] | undefined, documentId: string): string[] {
  if (documents?.[documents.length - 1] === documentId) return documents;
  const rest = (documents ?? []).filter((d) => d !== documentId);
  return [...rest, documentId].slice(-MAX_HOST_DOCUMENTS);
}

/** Web requests, WebSockets included. */
export function isRequestUrl(url: string): boolean {
  return isWebUrl(url) || url.startsWith('ws://') || url.startsWith('wss://');
}

/** A host kept beyond MAX_HOSTS_PER_TAB (records of the previous release mark only the skipped ones). */
export function isBeyondLimit(host: StoredHost): boolean {
  return (
    host.beyondLimit === true || (host.doh.state === 'skipped' && host.doh.why === 'over-limit')
  );
}

/** 32-bit FNV-1a: enough to count distinct overflow hosts without keeping their names. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
