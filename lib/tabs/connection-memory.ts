/**
 * The last connection the browser made to each site, remembered for a short while so that a revisit
 * the browser serves from its HTTP cache (no connection, so webRequest reports no `ip`) keeps the
 * witness it had: on a split-horizon site (DoH gives a clean address, the browser connected to a
 * China Telecom one) the first visit flags, and a cached revisit must not then read clean (issue 23).
 *
 * How long: CONNECTION_MEMORY_TTL_MS, one hour after the last connection. The DoH answer's TTL
 * would be the wrong clock: the address the browser connected to came from the system's resolver,
 * whose answer and TTL we never see, and the HTTP cache keeps a page far longer than a DNS TTL. An
 * hour covers the usual back-and-forth of a browsing session; after it, a cached revisit says `?`
 * (lib/verdict.ts, 'from-cache') rather than guess.
 *
 * Where: one record in storage.session (key CONNECTION_MEMORY_KEY, a versioned record of the
 * session-record store, lib/storage/session-records.ts), read afresh for each use like the proxy
 * pattern's (lib/proxy/detector.ts), so a worker the browser restarts keeps it and an emptied store
 * forgets it; a change not yet written, or refused by a full store, is served from memory.
 * Bounded: at most CONNECTION_MEMORY_MAX_HOSTS sites (the least recently connected go first),
 * about 100 bytes each, so under 30 KB of the 10 MB session quota.
 */
import { canonicalIp, type ProxyFact } from '../proxy';
import { CONNECTION_MEMORY_KEY } from '../storage/session-keys';
import { createSessionRecords, recordAreaOf, type OneKeyArea } from '../storage/session-records';

/** The storage.session key of the record (lib/storage/session-keys.ts). */
export { CONNECTION_MEMORY_KEY };
/** A remembered connection is used for this long after it was made. */
export const CONNECTION_MEMORY_TTL_MS = 60 * 60_000;
/** Sites remembered at most; the least recently connected go first. */
export const CONNECTION_MEMORY_MAX_HOSTS = 256;
/**
 * The same connection seen again within this long is not written again: a site's every navigation
 * would otherwise write the record, and a minute more or less of memory changes nothing.
 */
const REFRESH_AFTER_MS = 60_000;

/** One remembered connection: the address the browser connected to and, if any, its proxy. */
export interface RememberedConnection {
  ip: string;
  /** The proxy that connection went through (`ip` is then the proxy's), as it was judged then. */
  proxy?: ProxyFact;
  /** When the connection was made (the monitor's clock). */
  at: number;
}

export interface ConnectionMemoryState {
  version: 1;
  /** By hostname, lower case. */
  hosts: Record<string, RememberedConnection>;
}

/** The subset of storage.session the memory needs (read and written one key at a time). */
export type ConnectionMemorySession = OneKeyArea;

/** The stored record's format version (`{ v, data }`, the store's); bump it when the state changes shape. */
const CONNECTION_RECORD_VERSION = 1;

/** A stored value as a record; anything else (an older shape, damage) reads as empty. */
export function readConnectionMemory(value: unknown): ConnectionMemoryState {
  const empty: ConnectionMemoryState = { version: 1, hosts: {} };
  if (typeof value !== 'object' || value === null) return empty;
  const { version, hosts } = value as Partial<ConnectionMemoryState>;
  if (version !== 1 || typeof hosts !== 'object' || hosts === null) return empty;
  const kept: Record<string, RememberedConnection> = {};
  for (const [hostname, entry] of Object.entries(hosts)) {
    if (isConnection(entry)) kept[hostname] = entry;
  }
  return { version: 1, hosts: kept };
}

/** The connection remembered for `hostname`, if one was made within the TTL. */
export function recallConnection(
  state: ConnectionMemoryState,
  hostname: string,
  now: number,
): RememberedConnection | undefined {
  const entry = Object.hasOwn(state.hosts, hostname) ? state.hosts[hostname] : undefined;
  return entry && isFresh(entry, now) ? entry : undefined;
}

/**
 * The record with `connection` as `hostname`'s latest, expired entries dropped and at most
 * CONNECTION_MEMORY_MAX_HOSTS kept; null when nothing worth a write changed.
 */
export function rememberConnection(
  state: ConnectionMemoryState,
  hostname: string,
  connection: { ip: string; proxy?: ProxyFact },
  now: number,
): ConnectionMemoryState | null {
  const ip = canonicalIp(connection.ip);
  const known = recallConnection(state, hostname, now);
  if (
    known &&
    known.ip === ip &&
    sameProxy(known.proxy, connection.proxy) &&
    now - known.at < REFRESH_AFTER_MS
  ) {
    return null;
  }
  const entry: RememberedConnection = { ip, at: now };
  if (connection.proxy) entry.proxy = { ...connection.proxy };
  const others = Object.entries(state.hosts).filter(
    ([name, kept]) => name !== hostname && isFresh(kept, now),
  );
  others.sort((a, b) => b[1].at - a[1].at);
  const hosts = Object.fromEntries(others.slice(0, CONNECTION_MEMORY_MAX_HOSTS - 1));
  hosts[hostname] = entry;
  return { version: 1, hosts };
}

/** Creates the memory; it never throws (a storage failure costs only what it would remember). */
export function createConnectionMemory(deps: {
  session: ConnectionMemorySession;
  now(): number;
  log(message: string, error?: unknown): void;
}) {
  // One read-modify-write at a time: connections of different tabs arrive concurrently.
  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  }

  // A refused write keeps the older record stored: fewer remembered sites are still true ones.
  const records = createSessionRecords<ConnectionMemoryState>(recordAreaOf(deps.session), {
    version: CONNECTION_RECORD_VERSION,
    // readConnectionMemory drops damaged entries inside a well-formed record.
    isValid: (data): data is ConnectionMemoryState =>
      typeof data === 'object' && data !== null && (data as ConnectionMemoryState).version === 1,
    whenRefused: 'keep',
    log: (message, error) => deps.log(message, error),
  });

  async function load(): Promise<ConnectionMemoryState> {
    return readConnectionMemory(await records.reload(CONNECTION_MEMORY_KEY));
  }

  return {
    /** The browser connected to `hostname` at `ip` (through `proxy`, if one). */
    remember(hostname: string, connection: { ip: string; proxy?: ProxyFact }): Promise<void> {
      return serial(async () => {
        const next = rememberConnection(await load(), hostname, connection, deps.now());
        if (!next) return;
        records.set(CONNECTION_MEMORY_KEY, next);
        await records.flush();
      });
    },

    /** The last connection to `hostname`, if it was made within CONNECTION_MEMORY_TTL_MS. */
    recall(hostname: string): Promise<RememberedConnection | undefined> {
      return serial(async () => recallConnection(await load(), hostname, deps.now()));
    },

    /** Whether storage.session refused the record for lack of space (the store logged it). */
    get full(): boolean {
      return records.full;
    },
  };
}

export type ConnectionMemory = ReturnType<typeof createConnectionMemory>;

function isFresh(entry: RememberedConnection, now: number): boolean {
  // A clock that went back (a restored session) makes no entry last forever.
  return entry.at <= now && now - entry.at < CONNECTION_MEMORY_TTL_MS;
}

function sameProxy(a: ProxyFact | undefined, b: ProxyFact | undefined): boolean {
  if (!a || !b) return a === b;
  return a.address === b.address && a.detectedBy === b.detectedBy && a.port === b.port;
}

function isConnection(value: unknown): value is RememberedConnection {
  if (typeof value !== 'object' || value === null) return false;
  const { ip, at, proxy } = value as RememberedConnection;
  return (
    typeof ip === 'string' &&
    typeof at === 'number' &&
    (proxy === undefined ||
      (typeof proxy === 'object' && proxy !== null && typeof proxy.address === 'string'))
  );
}
