/**
 * Decides, for one main-frame connection, whether it went through a proxy: from what the browser
 * says (Firefox's proxyInfo), else from the repeated-address pattern, whose record lives in
 * storage.session so a restarted worker keeps what it learnt. The record is read afresh for each
 * connection (one small read per top-level page): storage is the one source of truth, so a session
 * store that was emptied forgets the pattern too, instead of a memory copy living on.
 */
import {
  canonicalIp,
  isDetectedProxy,
  readPatternState,
  recordConnection,
  type ProxyPatternState,
} from './pattern';
import { PROXY_PATTERN_KEY } from '../storage/session-keys';
import type { ProxyFact } from './types';

/** The storage.session key of the pattern's record (lib/storage/session-keys.ts). */
export { PROXY_PATTERN_KEY };

/** The subset of storage.session the detector needs. */
export interface ProxySessionArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

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

  async function load(): Promise<ProxyPatternState> {
    const stored = await deps.session.get(PROXY_PATTERN_KEY).catch((error: unknown) => {
      deps.log('proxy record could not be read', error);
      return {} as Record<string, unknown>;
    });
    return readPatternState(stored[PROXY_PATTERN_KEY]);
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
          await deps.session
            .set({ [PROXY_PATTERN_KEY]: outcome.state })
            .catch((error: unknown) => deps.log('proxy record could not be stored', error));
        }
        return {
          proxy: isProxy
            ? { address: canonicalIp(connectedIp), detectedBy: 'repeated-address' }
            : undefined,
          newlyDetected,
        };
      });
    },
  };
}

export type ProxyDetector = ReturnType<typeof createProxyDetector>;
