import { describe, expect, it } from 'vitest';
import { NO_POLICY, POLICY_KEYS, readPolicy } from '../../../lib/policy';
import { FULL_POLICY } from './fixtures';

describe('readPolicy', () => {
  it('reads a policy that sets and locks every key', () => {
    const policy = readPolicy(FULL_POLICY);
    expect(policy.problems).toEqual([]);
    expect([...policy.locked].sort()).toEqual([...POLICY_KEYS].sort());
    expect(policy.values.privacyMode).toBe(true);
    expect(policy.values.resolver).toEqual({ kind: 'preset', id: 'quad9' });
    expect(policy.values.onFlagged).toBe('warn');
    expect(policy.values.blockFlaggedHosts).toBe(true);
    // The allowlist entries as the settings page would store them.
    expect(policy.values.allowlist).toEqual(['intranet.example.com', 'wiki.example.org']);
    expect(policy.values.watchlist?.enableGroups).toEqual(['pccw']);
    expect(policy.values.watchlist?.disableGroups).toEqual(['china-unicom']);
    expect(policy.values.watchlist?.addGroups).toEqual([
      {
        id: 'org-1',
        name: 'Our upstream',
        code: 'UP',
        enabled: true,
        builtin: false,
        asns: [{ asn: 13335 }, { asn: 20940 }],
        prefixes: [],
      },
      {
        id: 'org-2',
        name: 'Lab',
        code: 'LB',
        enabled: true,
        builtin: false,
        asns: [],
        prefixes: ['1.0.0.0/24'],
      },
    ]);
    expect(policy.values.dataUpdate).toEqual({
      sources: ['https://mirror.example.com/asn-ipv4-num.csv'],
      automatic: false,
    });
  });

  it('sets without locking when locked is absent or false', () => {
    const policy = readPolicy({
      privacyMode: { value: true },
      resolver: { value: 'https://doh.example.com/dns-query', locked: false },
    });
    expect(policy.problems).toEqual([]);
    expect(policy.locked.size).toBe(0);
    expect(policy.values.resolver).toEqual({
      kind: 'custom',
      url: 'https://doh.example.com/dns-query',
    });
  });

  it('gives no policy for nothing, an empty object, and a problem for a non-object', () => {
    expect(readPolicy(undefined)).toBe(NO_POLICY);
    expect(readPolicy(null)).toBe(NO_POLICY);
    const empty = readPolicy({});
    expect(empty.values).toEqual({});
    expect(empty.locked.size).toBe(0);
    expect(empty.problems).toEqual([]);
    expect(readPolicy([1]).problems).toEqual(['the policy must be an object']);
    expect(readPolicy('x').values).toEqual({});
  });

  it('ignores unknown keys with a problem, and keeps the rest', () => {
    const policy = readPolicy({ privacyMode: { value: true, locked: true }, telemetry: true });
    expect(policy.values).toEqual({ privacyMode: true });
    expect(policy.problems).toEqual(['unknown policy key "telemetry" (ignored)']);
  });

  // Each key refused on its own; the other keys of FULL_POLICY still apply.
  const invalid: [string, unknown, RegExp][] = [
    ['privacyMode', { value: 'yes' }, /value must be true or false/],
    ['privacyMode', true, /must be an object/],
    ['privacyMode', { value: true, locked: 'yes' }, /locked must be true or false/],
    ['privacyMode', { value: true, lock: true }, /unknown field "lock"/],
    ['blockFlaggedHosts', { value: 1 }, /value must be true or false/],
    ['onFlagged', { value: 'explode' }, /one of nothing, warn, block/],
    ['resolver', { value: 'http://doh.example.com/dns-query' }, /https/],
    ['resolver', { value: 'opendns' }, /one of cloudflare/],
    ['resolver', { value: 5 }, /preset id or an https/],
    ['allowlist', { add: 'example.com' }, /list of site names/],
    ['allowlist', { add: ['co.uk'] }, /public suffix/],
    ['allowlist', { add: ['10.0.0.1'] }, /IP address/],
    ['watchlist', { enableGroups: ['nope'] }, /not a built-in group/],
    ['watchlist', { enableGroups: ['pccw'], disableGroups: ['pccw'] }, /both enabled and disabled/],
    ['watchlist', { addGroups: [{ name: 'X', code: 'toolong' }] }, /code/],
    ['watchlist', { addGroups: [{ name: 'Dup', code: 'CT' }] }, /already used/],
    ['watchlist', { addGroups: [{ name: 'P', code: 'PP', prefixes: ['10.0.0.0/8'] }] }, /prefix/],
    ['watchlist', { addGroups: [{ name: 'A', code: 'AA', asns: [-1] }] }, /asns\[0\]/],
    ['watchlist', { addGroups: [{ name: 'A', code: 'AA', asns: ['AS1'] }] }, /list of numbers/],
    ['watchlist', { addGroups: [{ name: 'A', code: 'AA', colour: 'red' }] }, /unknown field/],
    ['dataUpdate', { sources: ['http://insecure.example.com/a.csv'] }, /sources/],
    ['dataUpdate', { automatic: 'weekly' }, /automatic must be true or false/],
    ['dataUpdate', {}, /neither sources nor automatic/],
  ];
  for (const [key, entry, reason] of invalid) {
    it(`refuses ${key} ${JSON.stringify(entry)} and keeps the other keys`, () => {
      const policy = readPolicy({ ...FULL_POLICY, [key]: entry });
      expect(policy.problems).toHaveLength(1);
      expect(policy.problems[0]).toMatch(new RegExp(`^policy ${key}: `));
      expect(policy.problems[0]).toMatch(reason);
      expect(policy.values).not.toHaveProperty(key);
      expect(policy.locked.has(key as never)).toBe(false);
      expect(Object.keys(policy.values)).toHaveLength(POLICY_KEYS.length - 1);
    });
  }
});
