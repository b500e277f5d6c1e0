/**
 * DNS-over-HTTPS client (RFC 8484, wire format over GET). Environment-free: `fetch`, the clock and
 * the cache are passed in, so the same code runs in the MV3 service worker, the CLI and tests.
 *
 * One `resolve()` asks A and AAAA in parallel under one deadline and combines them:
 * - any addresses → ok. If the other family failed transiently (SERVFAIL, timeout, network…),
 *   we still answer with what we have (a half answer is enough to say where a site is hosted),
 *   but cache it only for `minTtlSeconds` so the missing family is retried soon;
 * - both negative → 'nxdomain' when both said NXDOMAIN, else 'nodata'; cached for the SOA-derived
 *   negative TTL capped at `negativeTtlSeconds`;
 * - otherwise the most meaningful error (see ERROR_RANK), never cached;
 * - the caller's abort wins over everything and reads 'aborted'.
 * `resolve()` never rejects: every failure is a typed `DnsError`.
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
  /** Deadline for both queries together; default 5000 ms. */
  timeoutMs?: number;
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
/** A DNS message cannot be longer than this (16-bit length in DNS over TCP). */
const MAX_MESSAGE_BYTES = 65535;
const DNS_MESSAGE_TYPE = 'application/dns-message';

/** Lower rank wins when neither family produced addresses. Config faults first, flakiness last. */
const ERROR_RANK: Readonly<Record<DnsErrorKind, number>> = {
  aborted: 0,
  'blocked-name': 1,
  'invalid-resolver': 2,
  'http-status': 3,
  'content-type': 4,
  malformed: 5,
  refused: 6,
  servfail: 7,
  network: 8,
  timeout: 9,
  nxdomain: 10,
  nodata: 11,
};

type FamilyOutcome =
  { kind: 'answer'; outcome: AnswerOutcome } | { kind: 'error'; error: DnsError };

class Aborted extends Error {}

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
  const maxTtl = options.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  const minTtl = Math.min(options.minTtlSeconds ?? DEFAULT_MIN_TTL_SECONDS, maxTtl);
  const negativeCap = options.negativeTtlSeconds ?? DEFAULT_NEGATIVE_TTL_SECONDS;
  const cache = options.cache;
  const resolver = validateResolverUrl(options.resolverUrl);
  const resolverHost = resolver.ok ? new URL(resolver.url).host : options.resolverUrl;

  async function readCache(key: string): Promise<CacheEntry | undefined> {
    if (!cache) return undefined;
    try {
      const entry: unknown = await cache.get(key);
      return isCacheEntry(entry) ? entry : undefined;
    } catch {
      return undefined; // a broken cache only costs a lookup
    }
  }

  async function writeCache(key: string, result: CachedResult, ttlSeconds: number): Promise<void> {
    if (!cache || !(ttlSeconds > 0)) return;
    const storedAt = now();
    try {
      await cache.set(key, {
        version: 1,
        storedAt,
        expiresAt: storedAt + ttlSeconds * 1000,
        result,
      });
    } catch {
      // fail soft: the answer is still returned, just not remembered
    }
  }

  async function queryOnce(
    resolverUrl: string,
    name: string,
    type: AddressType,
    signal: AbortSignal,
    aborted: Promise<never>,
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
          signal,
        }),
        aborted,
      ]);
    } catch (cause) {
      if (signal.aborted) throw new Aborted();
      return error(
        'network',
        `could not reach the resolver for ${name} ${type} (${describeFetchError(cause)})`,
      );
    }
    if (response.status < 200 || response.status > 299) {
      const hint = response.status === 415 ? ' (it does not accept DNS wire format)' : '';
      return error('http-status', `answered HTTP ${response.status} for ${name} ${type}${hint}`);
    }
    const contentType = (response.headers.get('content-type') ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (contentType !== DNS_MESSAGE_TYPE) {
      return error(
        'content-type',
        `answered with content type "${contentType || 'none'}", not ${DNS_MESSAGE_TYPE}; is this a DoH URL?`,
      );
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await Promise.race([response.arrayBuffer(), aborted]));
    } catch (cause) {
      if (signal.aborted) throw new Aborted();
      return error(
        'network',
        `the answer for ${name} ${type} broke off (${describeFetchError(cause)})`,
      );
    }
    if (body.length > MAX_MESSAGE_BYTES) {
      return error('malformed', `sent ${body.length} bytes, more than a DNS message can hold`);
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
   * One family: the query, plus follow-up queries while the resolver hands back a CNAME chain it
   * did not chase (see answer.ts). Hops over all rounds share the MAX_CNAME_HOPS cap.
   */
  async function queryFamily(
    resolverUrl: string,
    name: string,
    type: AddressType,
    signal: AbortSignal,
    aborted: Promise<never>,
  ): Promise<FamilyOutcome> {
    const chain: string[] = [];
    let chainTtl = Infinity;
    let current = name;
    for (;;) {
      const result = await queryOnce(resolverUrl, current, type, signal, aborted);
      if (result.kind === 'error') return result;
      const outcome = result.outcome;
      if (
        outcome.kind !== 'addresses' &&
        outcome.kind !== 'nodata' &&
        outcome.kind !== 'nxdomain'
      ) {
        return result;
      }
      const fullChain = [...chain, ...outcome.cnameChain];
      if (
        fullChain.length > MAX_CNAME_HOPS ||
        new Set([name, ...fullChain]).size <= fullChain.length
      ) {
        const message = `${resolverHost}: the CNAME chain from ${name} loops or is longer than ${MAX_CNAME_HOPS} hops`;
        return { kind: 'error', error: { kind: 'malformed', message } };
      }
      if (outcome.kind === 'nodata' && outcome.unresolved) {
        chain.push(...outcome.cnameChain);
        chainTtl = Math.min(chainTtl, outcome.unresolved.chainTtl);
        current = outcome.unresolved.target;
        continue;
      }
      if (chain.length === 0) return result;
      if (outcome.kind === 'addresses') {
        const addresses = outcome.addresses.map((a) => ({ ...a, ttl: Math.min(a.ttl, chainTtl) }));
        const ttl = Math.min(outcome.ttl, chainTtl);
        return { kind: 'answer', outcome: { ...outcome, addresses, ttl, cnameChain: fullChain } };
      }
      return { kind: 'answer', outcome: { ...outcome, cnameChain: fullChain } };
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

    const key = cacheKey(resolver.url, name);
    const cached = await readCache(key);
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
      };
    }

    const controller = new AbortController();
    let reason: 'timeout' | 'aborted' | undefined;
    let rejectAborted: (error: Error) => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      rejectAborted = reject;
    });
    aborted.catch(() => {}); // observed through the races; never an unhandled rejection
    const stop = (why: 'timeout' | 'aborted'): void => {
      reason ??= why;
      controller.abort();
      rejectAborted(new Aborted());
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onCallerAbort = (): void => stop('aborted');
    opts.signal?.addEventListener('abort', onCallerAbort, { once: true });

    const run = async (type: AddressType): Promise<FamilyOutcome> => {
      try {
        return await queryFamily(resolver.url, name, type, controller.signal, aborted);
      } catch (thrown) {
        if (!(thrown instanceof Aborted)) {
          const message = `${resolverHost}: unexpected failure for ${name} ${type}: ${String(thrown)}`;
          return { kind: 'error', error: { kind: 'malformed', message } };
        }
        const why = reason ?? 'aborted';
        const message =
          why === 'timeout'
            ? `${resolverHost}: no answer for ${name} ${type} within ${timeoutMs} ms`
            : abortedError.message;
        return { kind: 'error', error: { kind: why, message } };
      }
    };
    let outcomes: [FamilyOutcome, FamilyOutcome];
    try {
      outcomes = await Promise.all([run('A'), run('AAAA')]);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onCallerAbort);
    }
    if (reason === 'aborted') return fail(abortedError);

    const [a, aaaa] = outcomes;
    const addresses: ResolvedAddress[] = [];
    let cnameChain: readonly string[] | undefined;
    let positiveTtl = Infinity;
    for (const outcome of outcomes) {
      if (outcome.kind !== 'answer' || outcome.outcome.kind !== 'addresses') continue;
      for (const address of outcome.outcome.addresses) {
        addresses.push({ ip: address.address, type: address.type, ttl: address.ttl });
      }
      cnameChain ??= outcome.outcome.cnameChain;
      positiveTtl = Math.min(positiveTtl, outcome.outcome.ttl);
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
      );
      return { ok: true, hostname, addresses, cnameChain: chain, fromCache: false };
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
      await writeCache(key, { ok: false, error }, negativeTtl);
      return fail(error);
    }
    return fail(ERROR_RANK[errorA.kind] <= ERROR_RANK[errorAaaa.kind] ? errorA : errorAaaa);
  }

  return { resolve };
}
