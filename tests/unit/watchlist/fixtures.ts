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
