import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_GROUP_IDS,
  builtinGroupId,
  DEFAULT_WATCHLIST,
  EXCLUDED_LOOKALIKES,
} from '../../../lib/watchlist/defaults';
import { addGroup } from '../../../lib/watchlist/edit';
import { validateWatchlist } from '../../../lib/watchlist/validate';

const DATA_DIR = resolve(__dirname, '../../../node_modules/@ip-location-db/asn');

/** AS number → org names seen in the routing data the prefix table is built from. */
function orgsInData(): Map<number, Set<string>> {
  const orgs = new Map<number, Set<string>>();
  for (const file of ['asn-ipv4-num.csv', 'asn-ipv6-num.csv']) {
    for (const line of readFileSync(resolve(DATA_DIR, file), 'utf8').split('\n')) {
      const m = /^\d+,\d+,(\d+),(.*)$/.exec(line);
      if (!m) continue;
      const asn = Number(m[1]);
      const org = m[2]!.replace(/^"(.*)"$/, '$1');
      let set = orgs.get(asn);
      if (!set) orgs.set(asn, (set = new Set()));
      set.add(org);
    }
  }
  return orgs;
}

const group = (id: string) => {
  const found = DEFAULT_WATCHLIST.groups.find((g) => g.id === id);
  if (!found) throw new Error(`no default group ${id}`);
  return found;
};
const asnsOf = (id: string) => group(id).asns.map((a) => a.asn);
const allDefaultAsns = DEFAULT_WATCHLIST.groups.flatMap((g) => g.asns.map((a) => a.asn));

describe('DEFAULT_WATCHLIST', () => {
  it('passes its own validation', () => {
    expect(validateWatchlist(DEFAULT_WATCHLIST).ok).toBe(true);
  });

  it('has the three carriers on, with their codes, and the minority-stake group off', () => {
    expect(
      DEFAULT_WATCHLIST.groups.map((g) => [g.id, g.name, g.code, g.enabled, g.builtin]),
    ).toEqual([
      ['china-telecom', 'China Telecom', 'CT', true, true],
      ['china-mobile', 'China Mobile', 'CM', true, true],
      ['china-unicom', 'China Unicom', 'CU', true, true],
      ['pccw', 'PCCW / HKT (China Unicom minority stake)', 'PC', false, true],
    ]);
  });

  it('includes the backbones and the overseas and US subsidiaries', () => {
    expect(asnsOf('china-telecom')).toEqual(
      expect.arrayContaining([4134, 4809, 23764, 36678, 58519]),
    );
    expect(asnsOf('china-mobile')).toEqual(expect.arrayContaining([9808, 58453, 58807, 9231]));
    expect(asnsOf('china-unicom')).toEqual(expect.arrayContaining([4837, 9929, 10099, 19174]));
  });

  it('keeps every lookalike out of every group, enabled or not', () => {
    const required = [152194, 135386, 24545, 134172, 4609];
    expect(EXCLUDED_LOOKALIKES.map((e) => e.asn)).toEqual(expect.arrayContaining(required));
    for (const excluded of EXCLUDED_LOOKALIKES) {
      expect(allDefaultAsns).not.toContain(excluded.asn);
      expect(excluded.reason.length).toBeGreaterThan(10);
    }
  });

  // RULES.md: control, not a stake, puts a network in a carrier's group. China Mobile Hong Kong's
  // takeover offer for HKBN closed on 2025-09-17 with about 78 % (public takeover filings).
  it.each([9269, 9381, 10103, 17444, 17537, 136501])(
    'HKBN AS%i is in China Mobile (controlled since 2025), in no minority-stake group',
    (asn) => {
      const entry = group('china-mobile').asns.find((a) => a.asn === asn);
      expect(entry, `AS${asn} in china-mobile`).toBeDefined();
      expect(entry!.note).toMatch(/HKBN.*controlled by China Mobile Hong Kong/);
      expect(entry!.sources?.join(' ')).toMatch(/filingreader\.com.*78\.08 %/);
      const holders = DEFAULT_WATCHLIST.groups.filter((g) => g.asns.some((a) => a.asn === asn));
      expect(holders.map((g) => g.id)).toEqual(['china-mobile']);
    },
  );

  it('keeps PCCW/HKT (China Unicom about 18 %, no control) as its own group, off', () => {
    const pccw = group('pccw');
    expect([pccw.enabled, pccw.builtin, pccw.name]).toEqual([
      false,
      true,
      'PCCW / HKT (China Unicom minority stake)',
    ]);
    expect(pccw.asns.map((a) => a.asn)).toEqual(expect.arrayContaining([4760, 9444]));
    expect(DEFAULT_WATCHLIST.groups.some((g) => g.id === 'hkbn')).toBe(false);
  });

  it('lists each ASN once across all groups', () => {
    expect(new Set(allDefaultAsns).size).toBe(allDefaultAsns.length);
  });

  it('gives every ASN a note, a confidence and at least one source', () => {
    for (const g of DEFAULT_WATCHLIST.groups) {
      for (const a of g.asns) {
        expect(a.note, `AS${a.asn}`).toBeTruthy();
        expect(['high', 'medium', 'low'], `AS${a.asn}`).toContain(a.confidence);
        expect(a.sources?.length, `AS${a.asn}`).toBeGreaterThan(0);
      }
    }
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_WATCHLIST.groups[0]!.asns)).toBe(true);
    expect(() => {
      (DEFAULT_WATCHLIST.groups[0] as { enabled: boolean }).enabled = false;
    }).toThrow(TypeError);
  });

  it('agrees with the routing data: every carrier ASN originates ranges, names check out', () => {
    const orgs = orgsInData();
    for (const id of ['china-telecom', 'china-mobile', 'china-unicom']) {
      for (const asn of asnsOf(id)) expect(orgs.has(asn), `AS${asn} has no ranges`).toBe(true);
    }
    const orgOf = (asn: number) => [...(orgs.get(asn) ?? [])].join(' | ');
    expect(orgOf(4134)).toMatch(/Chinanet/);
    expect(orgOf(23764)).toMatch(/China Telecom Global/);
    expect(orgOf(36678)).toMatch(/CHINA TELECOM \(AMERICAS\)/);
    expect(orgOf(58453)).toMatch(/China Mobile International/);
    expect(orgOf(58807)).toMatch(/China Mobile International/);
    expect(orgOf(9231)).toMatch(/China Mobile Hong Kong/);
    expect(orgOf(9808)).toMatch(/China Mobile/);
    expect(orgOf(10099)).toMatch(/China Unicom/);
    expect(orgOf(19174)).toMatch(/China Unicom \(Americas\)/);
    expect(orgOf(4837)).toMatch(/CHINA UNICOM/);
    // The lookalikes really do carry the names that make them look like carriers.
    for (const excluded of EXCLUDED_LOOKALIKES) {
      expect(orgOf(excluded.asn), `AS${excluded.asn}`).toContain(excluded.orgInData);
    }
  });
});

describe('built-in group ids (the pages name these groups in the user language by id)', () => {
  it('are exactly the ids of the groups that ship', () => {
    expect(DEFAULT_WATCHLIST.groups.map((g) => g.id)).toEqual([...BUILTIN_GROUP_IDS]);
    expect(DEFAULT_WATCHLIST.groups.every((g) => g.builtin)).toBe(true);
  });

  it('are never given to a group the user makes, even one named like a carrier', () => {
    const added = addGroup({ groups: [] }, 'China Telecom', 'XT');
    expect(added.ok).toBe(true);
    if (!added.ok) return;
    expect(builtinGroupId(added.groupId)).toBeUndefined();
    expect(builtinGroupId('china-telecom')).toBe('china-telecom');
  });
});
