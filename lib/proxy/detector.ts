/**
 * Decides, for one main-frame connection, whether it went through a proxy: from what the browser
 * says (Firefox's proxyInfo), else from the repeated-address pattern, whose record lives in
 * storage.session (one versioned record of the session-record store, lib/storage/session-records.ts)
 * so a restarted worker keeps what it learnt. The record is read afresh for each connection (one
 * small read per top-level page, `reload`): storage is the one source of truth, so a session store
 * that was emptied forgets the pattern too, instead of a memory copy living on; only a change not
 * yet written, or refused by a full store, is served from memory.
 */
import {
  canonicalIp,
  isDetectedProxy,
  readPatternState,
  recordConnection,
  type ProxyPatternState,
} from './pattern';
import { PROXY_PATTERN_KEY } from '../storage/session-keys';
import { createSessionRecords, recordAreaOf, type OneKeyArea } from '../storage/session-records';
import type { ProxyFact } from './types';

/** The storage.session key of the pattern's record (lib/storage/session-keys.ts). */
export { PROXY_PATTERN_KEY };

/** The subset of storage.session the detector needs (read and written one key at a time). */
export type ProxySessionArea = OneKeyArea;

/** The stored record's format version (`{ v, data }`); bump it when ProxyPatternState changes shape. */
const PROXY_RECORD_VERSION = 1;

/** One main-frame connection, as far as the tab monitor knows it. */
export interface ConnectionSeen {
  host: string;
  /** The connected address (`details.ip`); none yet before the response starts. */
  ip: string | undefined;
  /** What the browser itself said about a proxy, if anything (Firefox). */
  reported?: ProxyFact;
  /**
   * The site's DoH answer: its addresses; 'unanswered' when there is none to compare with (privacy
   * mode, a failed lookup); 'not-yet' while pending; 'not-recorded' for a connection that says
   * nothing about other sites (an allowlisted site, an IP literal, a private name).
   */
  dns: readonly string[] | 'unanswered' | 'not-yet' | 'not-recorded';
  /**
   * Whether the connected address, and any address of the DoH answer, is on a watched network. A
   * watched connected address is never a proxy's (it is judged, and flags); a site whose DoH
   * answer is watched or missing does not feed the pattern (it would let a carrier server be
   * explained away by the very sites it serves).
   */
  watched?: { connected: boolean; dns: boolean };
}

export interface ProxyJudgement {
  proxy?: ProxyFact;
  /** This connection made the pattern name a new proxy: earlier reports through it are stale. */
  newlyDetected: boolean;
}

/** Creates the detector; it never throws (a storage failure costs only the record). */
export function createProxyDetector(deps: {
  session: ProxySessionArea;
  now(): number;
  log(message: string, error?: unknown): void;
}) {
  // One read-modify-write at a time: connections of different tabs arrive concurrently.
  let chain: Promise<unknown> = Promise.resolve();
  // A refused write keeps the older pattern stored: a shorter pattern is still a true one.
  const records = createSessionRecords<ProxyPatternState>(recordAreaOf(deps.session), {
    version: PROXY_RECORD_VERSION,
    // The pattern's own check; load() drops damaged entries inside a well-formed record.
    isValid: isPatternRecord,
    whenRefused: 'keep',
    log: (message, error) => deps.log(message, error),
  });

  async function load(): Promise<ProxyPatternState> {
    return readPatternState(await records.reload(PROXY_PATTERN_KEY));
  }

  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  }

  return {
    /** Whether `connection` went through a proxy; records it for the pattern when it can count. */
    judge(connection: ConnectionSeen): Promise<ProxyJudgement> {
      const { ip: connectedIp, reported } = connection;
      if (reported || connectedIp === undefined) {
        return Promise.resolve({ proxy: reported, newlyDetected: false });
      }
      if (connection.watched?.connected) {
        return Promise.resolve({ proxy: undefined, newlyDetected: false });
      }
      return serial(async () => {
        const state = await load();
        const now = deps.now();
        const { dns } = connection;
        let isProxy: boolean;
        let newlyDetected = false;
        if (typeof dns === 'string' || connection.watched?.dns) {
          isProxy = isDetectedProxy(state, connectedIp, now);
        } else {
          const ip = canonicalIp(connectedIp);
          const inDoh = dns.some((a) => canonicalIp(a) === ip);
          const outcome = recordConnection(state, { host: connection.host, ip, inDoh }, now);
          isProxy = outcome.isProxy;
          newlyDetected = outcome.newlyDetected;
          records.set(PROXY_PATTERN_KEY, outcome.state);
          // Stored before the verdict is given, so a worker stopped right after it still knows.
          await records.flush();
        }
        return {
          proxy: isProxy
            ? { address: canonicalIp(connectedIp), detectedBy: 'repeated-address' }
            : undefined,
          newlyDetected,
        };
      });
    },

    /** Whether storage.session refused the pattern for lack of space (the store logged it). */
    get full(): boolean {
      return records.full;
    },
  };
}

function isPatternRecord(data: unknown): data is ProxyPatternState {
  if (typeof data !== 'object' || data === null) return false;
  const { version, connections, proxies } = data as Partial<ProxyPatternState>;
  return version === 1 && Array.isArray(connections) && Array.isArray(proxies);
}

export type ProxyDetector = ReturnType<typeof createProxyDetector>;
