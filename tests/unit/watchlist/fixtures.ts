import type { Watchlist } from '../../../lib/watchlist/model';

/** A small watchlist for tests: one built-in group, one custom group, one disabled group. */
export function sampleWatchlist(): Watchlist {
  return {
    groups: [
      {
        id: 'china-telecom',
        name: 'China Telecom',
        code: 'CT',
        enabled: true,
        builtin: true,
        asns: [{ asn: 4134, note: 'ChinaNet', confidence: 'high', sources: ['manrs'] }],
        prefixes: [],
      },
      {
        id: 'custom-lab',
        name: 'Lab',
        code: 'LB',
        enabled: true,
        builtin: false,
        asns: [{ asn: 13335 }],
        prefixes: ['198.51.100.0/24', '2001:db8:aa::/48'],
      },
      {
        id: 'off',
        name: 'Switched off',
        code: 'OF',
        enabled: false,
        builtin: false,
        asns: [{ asn: 15169 }],
        prefixes: ['192.0.2.0/24'],
      },
    ],
  };
}

/** The sample's shape with public ranges only, so it passes an import's checks too. */
export function publicSampleWatchlist(): Watchlist {
  const w = sampleWatchlist();
  w.groups[1]!.prefixes = ['203.0.112.0/24', '2400:cb00:aa::/48'];
  w.groups[2]!.prefixes = ['8.8.8.0/24'];
  return w;
}

/** A small deterministic random number generator (mulberry32), so every run builds the same list. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
