/**
 * DNS-over-HTTPS client (RFC 8484, wire format over GET). Environment-free: `fetch`, the clock and
 * the cache are passed in, so the same code runs in the MV3 service worker, the CLI and tests.
 *
 * One `resolve()` asks A and AAAA in parallel under one deadline, which covers everything it awaits
 * (the cache read and write, every query, any second try), and combines them:
 * - any addresses → ok. If the other family failed transiently (SERVFAIL, timeout, network…),
 *   we still answer with what we have (a half answer is enough to say where a site is hosted),
 *   but cache it only for `minTtlSeconds` so the missing family is retried soon;
 * - both negative → 'nxdomain' when both said NXDOMAIN, else 'nodata'; cached for the SOA-derived
 *   negative TTL capped at `negativeTtlSeconds`;
 * - otherwise the most meaningful error (see ERROR_RANK), never cached;
 * - the caller's abort wins over everything and reads 'aborted'.
 * `resolve()` never rejects: every failure is a typed `DnsError`.
 *
 * The transport is held to what the user configured: a redirect is refused rather than followed
 * (see `redirectMessage`), and a body longer than a DNS message can be is refused from its
 * Content-Length or while it streams, never buffered whole (see `readBoundedBody`).
 *
 * A query that fails with a network error is asked once more after `retryPauseMs`; one with no
 * answer after `resendAfterMs` is sent once more while the first stays open, and the first usable
 * answer wins (as a classic stub resolver retransmits over UDP). Both fit inside the one deadline.
 * Only failures that a second try can cure are retried: an HTTP error, a redirect, an unusable
 * body, NXDOMAIN or SERVFAIL is the resolver's considered answer (a resolver retries upstream
 * itself before it says SERVFAIL), and asking again at once would only double the load on it.
 */
import {
  DEFAULT_NEGATIVE_TTL_SECONDS,
  extractAnswer,
  MAX_CNAME_HOPS,
  type AnswerOutcome,
} from './answer';
import { cacheKey, isCacheEntry, type CacheEntry, type CachedResult, type DnsCache } from './cache';
import {
  addressTypeCode,
  CLASS_IN,
  encodeQuery,
  parseResponse,
  rcodeName,
  type AddressType,
} from './message';
import { checkQueryableName, validateResolverUrl } from './names';
import type { DnsError, DnsErrorKind, ResolvedAddress, ResolveResult } from './types';

export type { DnsError, DnsErrorKind, ResolvedAddress, ResolveResult } from './types';

export interface DohClientOptions {
  /** Called unbound (`this` undefined), as browsers require for the global fetch. */
  fetch: typeof fetch;
  resolverUrl: string;
  /** Deadline for everything one `resolve()` awaits (cache, queries, retries); default 5000 ms. */
  timeoutMs?: number;
  /** A query with no answer after this long is sent once more, the first kept; default 2000 ms. */
  resendAfterMs?: number;
  /** Pause before asking again after a network error; default 300 ms. */
  retryPauseMs?: number;
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
  cache?: DnsCache;
  /** Positive answers are cached for clamp(ttl, minTtlSeconds, maxTtlSeconds). */
  maxTtlSeconds?: number;
  minTtlSeconds?: number;
  /** Upper bound on caching NXDOMAIN/NODATA; default 60 s. */
  negativeTtlSeconds?: number;
}

export interface ResolveOptions {
  signal?: AbortSignal;
}

export interface DohClient {
  /** Resolves `hostname` to its A and AAAA addresses. Never rejects. */
  resolve(hostname: string, opts?: ResolveOptions): Promise<ResolveResult>;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_TTL_SECONDS = 3600;
export const DEFAULT_MIN_TTL_SECONDS = 30;
/** Long enough for a cold TLS connection, short enough to leave the second try 3 s of 5. */
export const DEFAULT_RESEND_AFTER_MS = 2000;
/** Lets a network blip (a dropped connection, a changing Wi-Fi) pass before the second try. */
export const DEFAULT_RETRY_PAUSE_MS = 300;
/** A DNS message cannot be longer than this (16-bit length in DNS over TCP). */
export const MAX_MESSAGE_BYTES = 65535;
const DNS_MESSAGE_TYPE = 'application/dns-message';

/** Lower rank wins when neither family produced addresses. Config faults first, flakiness last. */
const ERROR_RANK: Readonly<Record<DnsErrorKind, number>> = {
  aborted: 0,
  'blocked-name': 1,
  'invalid-resolver': 2,
  redirect: 3,
  'http-status': 4,
  'content-type': 5,
  malformed: 6,
  refused: 7,
  servfail: 8,
  network: 9,
  timeout: 10,
  nxdomain: 11,
  nodata: 12,
};

type FamilyOutcome =
  { kind: 'answer'; outcome: AnswerOutcome } | { kind: 'error'; error: DnsError };

/** A family's (or one query's) outcome, and whether it took a second try. */
interface Asked {
  outcome: FamilyOutcome;
  retried: boolean;
}

/** Thrown out of every await when its lifetime stops (deadline, caller's abort, or a lost race). */
class Aborted extends Error {}

/**
 * A span of work that can be stopped: `signal` goes to fetch, `stopped` is raced against awaits
 * that ignore signals (a cache, a fake fetch, a body stream). A child stops with its parent.
 */
interface Lifetime {
  readonly signal: AbortSignal;
  /** Rejects with `Aborted` once stopped; never resolves. */
  readonly stopped: Promise<never>;
  stop(): void;
}

function createLifetime(parent?: Lifetime): Lifetime {
  const controller = new AbortController();
  let reject: (error: Error) => void = () => {};
  const stopped = new Promise<never>((_, rejectStopped) => {
    reject = rejectStopped;
  });
  stopped.catch(() => {}); // observed through the races; never an unhandled rejection
  const stop = (): void => {
    controller.abort();
    reject(new Aborted());
  };
  if (parent?.signal.aborted) stop();
  else parent?.signal.addEventListener('abort', stop, { once: true });
  return { signal: controller.signal, stopped, stop };
}

/** Waits `ms`, or rejects with `Aborted` as soon as `life` stops; leaves no timer behind. */
async function pause(ms: number, life: Lifetime): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([new Promise<void>((done) => (timer = setTimeout(done, ms))), life.stopped]);
  } finally {
    clearTimeout(timer);
  }
}

/** Worth asking again: the request or its answer was lost on the way, not refused by the resolver. */
function isTransient(outcome: FamilyOutcome): boolean {
  return outcome.kind === 'error' && outcome.error.kind === 'network';
}

/** Appends that the query was sent twice to a failure, so the user knows a retry was made. */
function triedTwice(outcome: FamilyOutcome): FamilyOutcome {
  if (outcome.kind !== 'error') return outcome;
  return {
    kind: 'error',
    error: { ...outcome.error, message: `${outcome.error.message}; tried twice` },
  };
}

/**
 * Reads a DoH body, or returns undefined when it is longer than a DNS message can be: refused from
 * Content-Length when the server declares one, else counted while streaming and cancelled as soon
 * as it passes the limit, so a broken or hostile resolver costs about 64 KiB of memory at most.
 */
async function readBoundedBody(
  response: Response,
  stopped: Promise<never>,
): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_MESSAGE_BYTES) {
    discardBody(response);
    return undefined;
  }
  const stream = response.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), stopped]);
      if (done) break;
      total += value.byteLength;
      if (total > MAX_MESSAGE_BYTES) return undefined;
      chunks.push(value);
    }
    finished = true;
  } finally {
    // Stops the download (and frees the connection) when we leave early for any reason.
    if (!finished) reader.cancel('CarrierFlag: DoH answer refused').catch(() => {});
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Cancels a body we will not read, so the connection is not kept busy downloading it. */
function discardBody(response: Response): void {
  if (response.body && !response.bodyUsed) response.body.cancel().catch(() => {});
}

/**
 * A redirect, in any of the shapes fetch gives it: browsers turn a `redirect: 'manual'` answer
 * into an opaque one (type 'opaqueredirect', status 0, no headers: Fetch standard, "opaque-
 * redirect filtered response"); Node's fetch returns the 3xx itself; a fetch that ignored the
 * option and followed anyway marks the result `redirected`. Returns the words for the error.
 */
function redirectMessage(response: Response): string | undefined {
  const opaque = response.type === 'opaqueredirect';
  const status = response.status >= 300 && response.status <= 399;
  if (!opaque && !status && !response.redirected) return undefined;
  const location = status ? response.headers.get('location') : null;
  const where = location ? ` to ${location.slice(0, 200)}` : '';
  const detail = status ? ` (HTTP ${response.status}${where})` : '';
  return (
    `answered with a redirect${detail} instead of a DNS answer. Redirects are refused, so ` +
    'queries go only to the resolver you chose; if the new address is right, set it as the resolver'
  );
}

/** base64url without padding (RFC 4648 §5), as RFC 8484 §4.1 requires for `?dns=`. */
export function base64UrlEncode(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += alphabet[b0 >> 2];
    out += alphabet[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)];
    if (b1 !== undefined) out += alphabet[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)];
    if (b2 !== undefined) out += alphabet[b2 & 63];
  }
  return out;
}

/** The GET URL for one query: the resolver URL with `dns=` appended, its own path/query kept. */
export function buildQueryUrl(resolverUrl: string, query: Uint8Array): string {
  const url = new URL(resolverUrl);
  const param = `dns=${base64UrlEncode(query)}`;
  // Appending by hand: URLSearchParams would re-encode the resolver's own query string.
  url.search = url.search.length > 1 ? `${url.search}&${param}` : `?${param}`;
  return url.href;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${error.message}${detail}`;
  }
  return String(error);
}

/**
 * Creates a client for one resolver. Does not throw on a bad resolver URL: each `resolve()` then
 * returns an 'invalid-resolver' error, so a bad setting shows up where results are displayed.
 */
export function createDohClient(options: DohClientOptions): DohClient {
  const fetchFn = options.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const resendAfterMs = options.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS;
  const retryPauseMs = options.retryPauseMs ?? DEFAULT_RETRY_PAUSE_MS;
  const maxTtl = options.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  const minTtl = Math.min(options.minTtlSeconds ?? DEFAULT_MIN_TTL_SECONDS, maxTtl);
  const negativeCap = options.negativeTtlSeconds ?? DEFAULT_NEGATIVE_TTL_SECONDS;
  const cache = options.cache;
  const resolver = validateResolverUrl(options.resolverUrl);
  const resolverHost = resolver.ok ? new URL(resolver.url).host : options.resolverUrl;

  /** Throws `Aborted` when `life` stops first: a cache that never answers must not hang us. */
  async function readCache(key: string, life: Lifetime): Promise<CacheEntry | undefined> {
    if (!cache) return undefined;
    let entry: unknown;
    try {
      entry = await Promise.race([cache.get(key), life.stopped]);
    } catch (thrown) {
      if (thrown instanceof Aborted) throw thrown;
      return undefined; // a broken cache only costs a lookup
    }
    return isCacheEntry(entry) ? entry : undefined;
  }

  /** Gives up waiting when `life` stops: the answer is in hand, remembering it is optional. */
  async function writeCache(
    key: string,
    result: CachedResult,
    ttlSeconds: number,
    life: Lifetime,
  ): Promise<void> {
    if (!cache || !(ttlSeconds > 0)) return;
    const storedAt = now();
    const entry: CacheEntry = {
      version: 1,
      storedAt,
      expiresAt: storedAt + ttlSeconds * 1000,
      result,
    };
    try {
      await Promise.race([cache.set(key, entry), life.stopped]);
    } catch {
      // fail soft: the answer is still returned, just not remembered
    }
  }

  /** One HTTP exchange for one question. Throws `Aborted` when `life` stops. */
  async function queryOnce(
    resolverUrl: string,
    name: string,
    type: AddressType,
    life: Lifetime,
  ): Promise<FamilyOutcome> {
    const error = (kind: DnsErrorKind, message: string): FamilyOutcome => ({
      kind: 'error',
      error: { kind, message: `${resolverHost}: ${message}` },
    });
    const encoded = encodeQuery(name, type);
    // Only a CNAME target can get here unchecked; a resolver naming an unqueryable one is broken.
    if (!encoded.ok) return error('malformed', `unusable CNAME target: ${encoded.error.message}`);
    let response: Response;
    try {
      response = await Promise.race([
        fetchFn(buildQueryUrl(resolverUrl, encoded.bytes), {
          method: 'GET',
          headers: { accept: DNS_MESSAGE_TYPE },
          credentials: 'omit',
          referrerPolicy: 'no-referrer',
          // Our own cache honours TTLs; an HTTP cache would need Age arithmetic (RFC 8484 §5.1).
          cache: 'no-store',
          // 'manual', not 'error': a refused redirect must read as such, not as a network error
          // (which would be retried). The user chose this resolver; nobody else gets the query.
          redirect: 'manual',
          signal: life.signal,
        }),
        life.stopped,
      ]);
    } catch (cause) {
      if (life.signal.aborted) throw new Aborted();
      return error(
        'network',
        `could not reach the resolver for ${name} ${type} (${describeFetchError(cause)})`,
      );
    }
    const redirect = redirectMessage(response);
    if (redirect !== undefined) {
      discardBody(response);
      return error('redirect', `for ${name} ${type}, ${redirect}`);
    }
    if (response.status < 200 || response.status > 299) {
      discardBody(response);
      const hint = response.status === 415 ? ' (it does not accept DNS wire format)' : '';
      return error('http-status', `answered HTTP ${response.status} for ${name} ${type}${hint}`);
    }
    const contentType = (response.headers.get('content-type') ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (contentType !== DNS_MESSAGE_TYPE) {
      discardBody(response);
      return error(
        'content-type',
        `answered with content type "${contentType || 'none'}", not ${DNS_MESSAGE_TYPE}; is this a DoH URL?`,
      );
    }
    let body: Uint8Array | undefined;
    try {
      body = await readBoundedBody(response, life.stopped);
    } catch (cause) {
      if (life.signal.aborted) throw new Aborted();
      return error(
        'network',
        `the answer for ${name} ${type} broke off (${describeFetchError(cause)})`,
      );
    }
    if (body === undefined) {
      return error(
        'malformed',
        `sent an answer for ${name} ${type} longer than a DNS message can be ` +
          `(${MAX_MESSAGE_BYTES} bytes); it was refused without being downloaded`,
      );
    }
    const parsed = parseResponse(body, { name, type: addressTypeCode(type), class: CLASS_IN });
    if (!parsed.ok) {
      return error(
        'malformed',
        `sent an unusable answer for ${name} ${type}: ${parsed.error.message}`,
      );
    }
    return { kind: 'answer', outcome: extractAnswer(parsed.response, name, type, negativeCap) };
  }

  /**
   * One question with one second try: after a network error (and a pause), or when no answer came
   * within `resendAfterMs` (then both stay open and the first usable answer wins). `note` records
   * that a second request went out, for the timeout message. Throws `Aborted` when `life` stops.
   */
  async function ask(
    resolverUrl: string,
    name: string,
    type: AddressType,
    life: Lifetime,
    note: { askedTwice: boolean },
  ): Promise<Asked> {
    const first = createLifetime(life);
    const firstDone = queryOnce(resolverUrl, name, type, first);
    firstDone.catch(() => {}); // settled through the races below
    let resendTimer: ReturnType<typeof setTimeout> | undefined;
    const resendDue = new Promise<'resend'>((due) => {
      resendTimer = setTimeout(() => due('resend'), resendAfterMs);
    });
    let early: FamilyOutcome | 'resend';
    try {
      early = await Promise.race([firstDone, resendDue]);
    } finally {
      clearTimeout(resendTimer);
    }

    if (early !== 'resend') {
      if (!isTransient(early)) return { outcome: early, retried: false };
      try {
        await pause(retryPauseMs, life);
      } catch {
        return { outcome: early, retried: false }; // out of time: the network error says more
      }
      note.askedTwice = true;
      const second = await queryOnce(resolverUrl, name, type, createLifetime(life));
      return { outcome: isTransient(second) ? triedTwice(second) : second, retried: true };
    }

    note.askedTwice = true;
    const second = createLifetime(life);
    const secondDone = queryOnce(resolverUrl, name, type, second);
    secondDone.catch(() => {});
    const winner = await Promise.race([
      firstDone.then((outcome) => ({ outcome, retried: false, other: second })),
      secondDone.then((outcome) => ({ outcome, retried: true, other: first })),
    ]);
    if (!isTransient(winner.outcome)) {
      winner.other.stop();
      return { outcome: winner.outcome, retried: winner.retried };
    }
    const last = await (winner.retried ? firstDone : secondDone);
    return { outcome: isTransient(last) ? triedTwice(last) : last, retried: !winner.retried };
  }

  /**
   * One family: the query, plus follow-up queries while the resolver hands back a CNAME chain it
   * did not chase (see answer.ts). Hops over all rounds share the MAX_CNAME_HOPS cap.
   */
  async function queryFamily(
    resolverUrl: string,
    name: string,
    type: AddressType,
    life: Lifetime,
    note: { askedTwice: boolean },
  ): Promise<Asked> {
    const chain: string[] = [];
    let retried = false;
    let chainTtl = Infinity;
    let current = name;
    for (;;) {
      const asked = await ask(resolverUrl, current, type, life, note);
      retried ||= asked.retried;
      const result = asked.outcome;
      if (result.kind === 'error') return { outcome: result, retried };
      const outcome = result.outcome;
      if (
        outcome.kind !== 'addresses' &&
        outcome.kind !== 'nodata' &&
        outcome.kind !== 'nxdomain'
      ) {
        return { outcome: result, retried };
      }
      const fullChain = [...chain, ...outcome.cnameChain];
      if (
        fullChain.length > MAX_CNAME_HOPS ||
        new Set([name, ...fullChain]).size <= fullChain.length
      ) {
        const message = `${resolverHost}: the CNAME chain from ${name} loops or is longer than ${MAX_CNAME_HOPS} hops`;
        return { outcome: { kind: 'error', error: { kind: 'malformed', message } }, retried };
      }
      if (outcome.kind === 'nodata' && outcome.unresolved) {
        chain.push(...outcome.cnameChain);
        chainTtl = Math.min(chainTtl, outcome.unresolved.chainTtl);
        current = outcome.unresolved.target;
        continue;
      }
      if (chain.length === 0) return { outcome: result, retried };
      if (outcome.kind === 'addresses') {
        const addresses = outcome.addresses.map((a) => ({ ...a, ttl: Math.min(a.ttl, chainTtl) }));
        const ttl = Math.min(outcome.ttl, chainTtl);
        const joined = { ...outcome, addresses, ttl, cnameChain: fullChain };
        return { outcome: { kind: 'answer', outcome: joined }, retried };
      }
      return {
        outcome: { kind: 'answer', outcome: { ...outcome, cnameChain: fullChain } },
        retried,
      };
    }
  }

  function outcomeError(
    name: string,
    type: AddressType,
    outcome: FamilyOutcome,
  ): DnsError | undefined {
    if (outcome.kind === 'error') return outcome.error;
    const at = `${resolverHost}:`;
    const o = outcome.outcome;
    switch (o.kind) {
      case 'addresses':
        return undefined;
      case 'nxdomain':
        return { kind: 'nxdomain', message: `${at} ${name} does not exist (NXDOMAIN)` };
      case 'nodata':
        return { kind: 'nodata', message: `${at} ${name} exists but has no ${type} record` };
      case 'servfail':
        return {
          kind: 'servfail',
          message: `${at} SERVFAIL for ${name} ${type}: the resolver could not get an answer`,
        };
      case 'refused':
        return { kind: 'refused', message: `${at} REFUSED the query for ${name} ${type}` };
      case 'rcode':
        // FORMERR, NOTIMP and friends: the resolver failed to answer; to the user that is a SERVFAIL.
        return {
          kind: 'servfail',
          message: `${at} answered ${rcodeName(o.rcode)} for ${name} ${type}`,
        };
      case 'bad-chain':
        return {
          kind: 'malformed',
          message: `${at} unusable CNAME chain for ${name}: ${o.message}`,
        };
    }
  }

  async function resolve(hostname: string, opts: ResolveOptions = {}): Promise<ResolveResult> {
    const fail = (error: DnsError): ResolveResult => ({ ok: false, hostname, error });
    const checked = checkQueryableName(hostname);
    if (!checked.ok) return fail({ kind: 'blocked-name', message: checked.reason });
    if (!resolver.ok) {
      return fail({
        kind: 'invalid-resolver',
        message: `resolver "${options.resolverUrl}": ${resolver.reason}`,
      });
    }
    const name = checked.name;
    const abortedError: DnsError = {
      kind: 'aborted',
      message: `the lookup of ${name} was cancelled`,
    };
    if (opts.signal?.aborted) return fail(abortedError);

    // The deadline starts before the first await, so it covers the cache as well as the network.
    const life = createLifetime();
    let reason: 'timeout' | 'aborted' | undefined;
    const stop = (why: 'timeout' | 'aborted'): void => {
      reason ??= why;
      life.stop();
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onCallerAbort = (): void => stop('aborted');
    opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const result = await resolveWithin(hostname, name, resolver.url, life, () => reason);
      return reason === 'aborted' ? fail(abortedError) : result;
    } catch (thrown) {
      if (!(thrown instanceof Aborted)) throw thrown;
      if (reason !== 'timeout') return fail(abortedError);
      return fail({
        kind: 'timeout',
        message: `${resolverHost}: the DNS cache did not answer for ${name} within ${timeoutMs} ms`,
      });
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** The lookup proper, under `life`; throws `Aborted` only while reading the cache. */
  async function resolveWithin(
    hostname: string,
    name: string,
    resolverUrl: string,
    life: Lifetime,
    stopReason: () => 'timeout' | 'aborted' | undefined,
  ): Promise<ResolveResult> {
    const fail = (error: DnsError): ResolveResult => ({ ok: false, hostname, error });
    const key = cacheKey(resolverUrl, name);
    const cached = await readCache(key, life);
    const startedAt = now();
    if (cached && cached.expiresAt > startedAt) {
      if (!cached.result.ok) return fail(cached.result.error);
      const elapsed = Math.floor((startedAt - cached.storedAt) / 1000);
      return {
        ok: true,
        hostname,
        addresses: cached.result.addresses.map((a) => ({
          ...a,
          ttl: Math.max(0, a.ttl - elapsed),
        })),
        cnameChain: cached.result.cnameChain,
        fromCache: true,
        retried: false,
      };
    }

    const run = async (type: AddressType): Promise<Asked> => {
      const note = { askedTwice: false };
      try {
        return await queryFamily(resolverUrl, name, type, life, note);
      } catch (thrown) {
        let error: DnsError;
        if (!(thrown instanceof Aborted)) {
          const message = `${resolverHost}: unexpected failure for ${name} ${type}: ${String(thrown)}`;
          error = { kind: 'malformed', message };
        } else if (stopReason() === 'timeout') {
          const twice = note.askedTwice ? '; asked twice' : '';
          const message = `${resolverHost}: no answer for ${name} ${type} within ${timeoutMs} ms${twice}`;
          error = { kind: 'timeout', message };
        } else {
          error = { kind: 'aborted', message: `the lookup of ${name} was cancelled` };
        }
        return { outcome: { kind: 'error', error }, retried: false };
      }
    };
    // A caller's abort is turned into 'aborted' by resolve(), whatever comes out here.
    const asked = await Promise.all([run('A'), run('AAAA')]);

    const outcomes = asked.map((a) => a.outcome) as [FamilyOutcome, FamilyOutcome];
    const [a, aaaa] = outcomes;
    const addresses: ResolvedAddress[] = [];
    let cnameChain: readonly string[] | undefined;
    let positiveTtl = Infinity;
    let retried = false;
    for (const { outcome, retried: familyRetried } of asked) {
      if (outcome.kind !== 'answer' || outcome.outcome.kind !== 'addresses') continue;
      for (const address of outcome.outcome.addresses) {
        addresses.push({ ip: address.address, type: address.type, ttl: address.ttl });
      }
      cnameChain ??= outcome.outcome.cnameChain;
      positiveTtl = Math.min(positiveTtl, outcome.outcome.ttl);
      retried ||= familyRetried;
    }
    const errors = [outcomeError(name, 'A', a), outcomeError(name, 'AAAA', aaaa)];

    if (addresses.length > 0) {
      const partial = errors.some(
        (e) => e !== undefined && e.kind !== 'nodata' && e.kind !== 'nxdomain',
      );
      const chain = cnameChain ?? [];
      await writeCache(
        key,
        { ok: true, addresses, cnameChain: chain },
        partial ? minTtl : clamp(positiveTtl, minTtl, maxTtl),
        life,
      );
      return { ok: true, hostname, addresses, cnameChain: chain, fromCache: false, retried };
    }

    const [errorA, errorAaaa] = errors as [DnsError, DnsError];
    const negative = (e: DnsError): boolean => e.kind === 'nxdomain' || e.kind === 'nodata';
    if (negative(errorA) && negative(errorAaaa)) {
      const negativeTtl = Math.min(
        ...outcomes.map((o) =>
          o.kind === 'answer' && (o.outcome.kind === 'nxdomain' || o.outcome.kind === 'nodata')
            ? o.outcome.ttl
            : negativeCap,
        ),
        negativeCap,
      );
      const error: DnsError =
        errorA.kind === 'nxdomain' && errorAaaa.kind === 'nxdomain'
          ? errorA
          : {
              kind: 'nodata',
              message: `${resolverHost}: ${name} has no A or AAAA record`,
            };
      await writeCache(key, { ok: false, error }, negativeTtl, life);
      return fail(error);
    }
    return fail(ERROR_RANK[errorA.kind] <= ERROR_RANK[errorAaaa.kind] ? errorA : errorAaaa);
  }

  return { resolve };
}
