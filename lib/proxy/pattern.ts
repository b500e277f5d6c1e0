/**
 * The repeated-address pattern: a connected address that several unrelated sites share and that
 * none of their DNS answers contains is a proxy, not a server of those sites. This is how a proxy is
 * recognised in Chromium, whose webRequest does not say whether a request was proxied.
 *
 * The record is small and bounded (it lives in storage.session): the last PROXY_PATTERN.maxConnections
 * (host, connected address, was-it-in-the-DoH-answer) triples seen in the last windowMs, plus the
 * proxies detected from them, each kept while it is still being connected to.
 */
import { formatIp, parseIp } from '../ip/parse';
import { registrableDomain } from './registrable-domain';

/** Thresholds of the pattern; see the README ("Proxies"). */
export const PROXY_PATTERN = {
  /** Triples older than this are forgotten. */
  windowMs: 10 * 60_000,
  /** At most this many triples are kept (the oldest go first). */
  maxConnections: 64,
  /**
   * Distinct registrable domains whose DoH answers lack the address: enough to call it a proxy.
   * Only sites with a DoH answer on no watched network count (see recordConnection).
   */
  minDomainsNotInDns: 3,
  /** A detected proxy is forgotten this long after the last connection through it. */
  forgetProxyMs: 30 * 60_000,
  /** At most this many detected proxies are kept. */
  maxProxies: 8,
} as const;

export interface ConnectionRecord {
  host: string;
  /** registrableDomain(host), kept so "unrelated" is decided once. */
  domain: string;
  /** The connected address, canonical text. */
  ip: string;
  /**
   * Whether the site's DoH answer contained `ip`; null when there was no answer to compare (only
   * in records of older builds: such a connection is no longer recorded, and never counts).
   */
  inDoh: boolean | null;
  at: number;
}

export interface DetectedProxy {
  ip: string;
  detectedAt: number;
  lastSeenAt: number;
}

export interface ProxyPatternState {
  version: 1;
  connections: ConnectionRecord[];
  proxies: DetectedProxy[];
}

/** A new, empty record. */
export function emptyPatternState(): ProxyPatternState {
  return { version: 1, connections: [], proxies: [] };
}

/** The stored record if it has the expected shape, else an empty one (a bad record loses only hints). */
export function readPatternState(stored: unknown): ProxyPatternState {
  const value = stored as Partial<ProxyPatternState> | undefined;
  if (
    !value ||
    value.version !== 1 ||
    !Array.isArray(value.connections) ||
    !Array.isArray(value.proxies)
  ) {
    return emptyPatternState();
  }
  const connections = value.connections.filter(
    (c): c is ConnectionRecord =>
      typeof c?.host === 'string' &&
      typeof c.domain === 'string' &&
      typeof c.ip === 'string' &&
      (c.inDoh === null || typeof c.inDoh === 'boolean') &&
      typeof c.at === 'number',
  );
  const proxies = value.proxies.filter(
    (p): p is DetectedProxy =>
      typeof p?.ip === 'string' &&
      typeof p.detectedAt === 'number' &&
      typeof p.lastSeenAt === 'number',
  );
  return { version: 1, connections, proxies };
}

/** Canonical text of an address (`2001:DB8::1` → `2001:db8::1`), or the trimmed input. */
export function canonicalIp(text: string): string {
  const parsed = parseIp(text.trim());
  return parsed.ok ? formatIp(parsed.address) : text.trim();
}

export interface PatternOutcome {
  state: ProxyPatternState;
  /** The connected address is a proxy (detected now or earlier). */
  isProxy: boolean;
  /** It was detected by this very connection. */
  newlyDetected: boolean;
}

/**
 * Records one main-frame connection and decides whether its address is a proxy. Pure: returns a
 * new state. A connection whose address IS in its site's DoH answer proves the address serves that
 * site, so it clears the address from the detected proxies. The caller records only connections
 * that may count: a connected address on no watched network, and a site whose DoH answer exists
 * and is on no watched network (lib/proxy/detector.ts); a watched address is never a proxy here.
 */
export function recordConnection(
  previous: ProxyPatternState,
  connection: { host: string; ip: string; inDoh: boolean | null },
  now: number,
): PatternOutcome {
  const ip = canonicalIp(connection.ip);
  const host = connection.host.toLowerCase();
  const connections = previous.connections.filter(
    (c) => now - c.at < PROXY_PATTERN.windowMs && !(c.host === host && c.ip === ip),
  );
  connections.push({ host, domain: registrableDomain(host), ip, inDoh: connection.inDoh, at: now });
  while (connections.length > PROXY_PATTERN.maxConnections) connections.shift();

  let proxies = previous.proxies.filter((p) => now - p.lastSeenAt < PROXY_PATTERN.forgetProxyMs);
  const known = proxies.find((p) => p.ip === ip);
  const sameAddress = connections.filter((c) => c.ip === ip);
  const servesASite = sameAddress.some((c) => c.inDoh === true);

  let isProxy = false;
  let newlyDetected = false;
  if (servesASite) {
    proxies = proxies.filter((p) => p.ip !== ip);
  } else if (known) {
    isProxy = true;
    proxies = proxies.map((p) => (p.ip === ip ? { ...p, lastSeenAt: now } : p));
  } else {
    // Without a DoH answer (privacy mode, a failed lookup) a site says nothing: a busy shared
    // server looks just like a proxy then.
    const notInDns = new Set(sameAddress.filter((c) => c.inDoh === false).map((c) => c.domain));
    if (notInDns.size >= PROXY_PATTERN.minDomainsNotInDns) {
      isProxy = true;
      newlyDetected = true;
      proxies = [...proxies, { ip, detectedAt: now, lastSeenAt: now }];
      while (proxies.length > PROXY_PATTERN.maxProxies) proxies.shift();
    }
  }
  return { state: { version: 1, connections, proxies }, isProxy, newlyDetected };
}

/** Whether `ip` is a proxy detected earlier and not yet forgotten; records nothing. */
export function isDetectedProxy(state: ProxyPatternState, ip: string, now: number): boolean {
  const canonical = canonicalIp(ip);
  return state.proxies.some(
    (p) => p.ip === canonical && now - p.lastSeenAt < PROXY_PATTERN.forgetProxyMs,
  );
}
