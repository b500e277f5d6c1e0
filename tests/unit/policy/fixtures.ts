/** A policy that sets and locks every key, each with a valid value. */
export const FULL_POLICY = {
  privacyMode: { value: true, locked: true },
  resolver: { value: 'quad9', locked: true },
  onFlagged: { value: 'warn', locked: true },
  blockFlaggedHosts: { value: true, locked: true },
  allowlist: { add: ['Intranet.Example.com', 'https://wiki.example.org/'], locked: true },
  watchlist: {
    enableGroups: ['pccw'],
    disableGroups: ['china-unicom'],
    addGroups: [
      { name: 'Our upstream', code: 'UP', asns: [13335, 20940] },
      { name: 'Lab', code: 'LB', prefixes: ['1.0.0.0/24'] },
    ],
    locked: true,
  },
  dataUpdate: {
    sources: ['https://mirror.example.com/asn-ipv4-num.csv'],
    automatic: false,
    locked: true,
  },
};
