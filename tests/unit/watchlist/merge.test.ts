import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import { readWatchlistFile, type WatchlistFile } from '../../../lib/watchlist/import-export';
import { carriersNoLongerWatched, planImport, summarizeFile } from '../../../lib/watchlist/merge';
import {
  MAX_GROUPS,
  MAX_TOTAL_ASNS,
  WATCHLIST_FORMAT,
  type WatchGroup,
  type Watchlist,
} from '../../../lib/watchlist/model';

const defaults = (): Watchlist => structuredClone(DEFAULT_WATCHLIST) as Watchlist;

function custom(name: string, code: string, extra: Partial<WatchGroup> = {}): WatchGroup {
  return {
    id: `custom-${name.toLowerCase().replace(/\W+/g, '-')}`,
    name,
    code,
    enabled: true,
    builtin: false,
    asns: [{ asn: 13335 }],
    prefixes: ['1.1.1.0/24'],
    ...extra,
  };
}

/** A file as an export writes it, read back the way the settings page reads it. */
function fileOf(content: object): WatchlistFile {
  const read = readWatchlistFile(
    JSON.stringify({ format: WATCHLIST_FORMAT, version: 2, ...content }),
  );
  if (!read.ok) throw new Error(read.reason);
  return read.file;
}

const oneGroupFile = () =>
  fileOf({ builtins: [], groups: [{ ...custom('Cloud vendors', 'CV'), builtin: undefined }] });

describe('reading a file for an import', () => {
  it('tells the built-in groups the file mentions from those it does not', () => {
    const file = fileOf({
      builtins: [{ id: 'china-mobile', enabled: false, asns: [{ asn: 9808 }], prefixes: [] }],
      groups: [],
    });
    expect(file.builtins.map((g) => [g.id, g.name, g.enabled])).toEqual([
      ['china-mobile', 'China Mobile', false],
    ]);
    expect(file.groups).toEqual([]);
  });

  it('summarises what the file holds, group by group', () => {
    expect(summarizeFile(oneGroupFile())).toEqual([
      { name: 'Cloud vendors', builtin: false, enabled: true, asns: 1, prefixes: 1 },
    ]);
  });
});

describe('merging a file into the watchlist', () => {
  it('keeps the three carriers, and everything else the user has, when the file holds one group of its own', () => {
    const current = defaults();
    current.groups[1] = { ...current.groups[1]!, prefixes: ['27.0.160.0/24'] };
    current.groups.push(custom('Lab', 'LB'));
    const before = structuredClone(current);
    const plan = planImport(current, oneGroupFile(), 'merge');
    if (!plan.ok) throw new Error(plan.reason);
    expect(current).toEqual(before); // the input is untouched
    expect(plan.watchlist.groups.slice(0, -1)).toEqual(before.groups);
    expect(plan.watchlist.groups.map((g) => g.id)).toEqual([
      ...current.groups.map((g) => g.id),
      'custom-cloud-vendors',
    ]);
    expect(
      plan.watchlist.groups.slice(0, 3).map((g) => [g.name, g.enabled, g.asns.length]),
    ).toEqual(current.groups.slice(0, 3).map((g) => [g.name, true, g.asns.length]));
    expect(plan).toMatchObject({ added: ['Cloud vendors'], changed: [], removed: [] });
    expect(plan.enabledGroups).toBe(5);
  });

  it('merges a built-in group by id: the entries are united, the on/off state is the file’s', () => {
    const current = defaults();
    const mine = current.groups.find((g) => g.id === 'china-unicom')!;
    const file = fileOf({
      builtins: [
        {
          id: 'china-unicom',
          enabled: false,
          asns: [{ asn: 4837, note: 'from the file' }, { asn: 174 }],
          prefixes: ['1.24.0.0/16'],
        },
      ],
      groups: [],
    });
    const plan = planImport(current, file, 'merge');
    if (!plan.ok) throw new Error(plan.reason);
    const merged = plan.watchlist.groups.find((g) => g.id === 'china-unicom')!;
    expect(merged.enabled).toBe(false);
    expect(merged.asns).toHaveLength(mine.asns.length + 1);
    // An ASN already listed keeps the user's note and confidence.
    expect(merged.asns.find((a) => a.asn === 4837)!.note).toBe(
      mine.asns.find((a) => a.asn === 4837)!.note,
    );
    expect(merged.prefixes).toEqual(['1.24.0.0/16']);
    expect(plan.changed).toEqual(['China Unicom']);
    // The other groups are as they were.
    expect(plan.watchlist.groups.filter((g) => g.id !== 'china-unicom')).toEqual(
      current.groups.filter((g) => g.id !== 'china-unicom'),
    );
  });

  it('merges a group of the user’s own by name, whatever its id in the file', () => {
    const current = defaults();
    current.groups.push(custom('Cloud vendors', 'CV', { asns: [{ asn: 16509 }], prefixes: [] }));
    const file = fileOf({
      builtins: [],
      groups: [{ ...custom('CLOUD VENDORS', 'ZZ'), id: 'other-id', builtin: undefined }],
    });
    const plan = planImport(current, file, 'merge');
    if (!plan.ok) throw new Error(plan.reason);
    const merged = plan.watchlist.groups.filter((g) => !g.builtin);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      id: 'custom-cloud-vendors',
      name: 'Cloud vendors',
      code: 'CV',
    });
    expect(merged[0]!.asns.map((a) => a.asn)).toEqual([16509, 13335]);
    expect(merged[0]!.prefixes).toEqual(['1.1.1.0/24']);
  });

  it('gives a new group a fresh id when its id is taken by a group of another name', () => {
    const current = defaults();
    current.groups.push(custom('Lab', 'LB', { id: 'custom-x' }));
    const file = fileOf({
      builtins: [],
      groups: [{ ...custom('Vendors', 'VV'), id: 'custom-x', builtin: undefined }],
    });
    const plan = planImport(current, file, 'merge');
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.watchlist.groups.filter((g) => !g.builtin).map((g) => [g.id, g.name])).toEqual([
      ['custom-x', 'Lab'],
      ['custom-vendors', 'Vendors'],
    ]);
  });

  it('refuses a new group whose badge code another group uses, and changes nothing', () => {
    const current = defaults();
    const before = structuredClone(current);
    const file = fileOf({
      builtins: [],
      groups: [{ ...custom('Vendors', 'VV'), builtin: undefined }],
    });
    current.groups.push(custom('Lab', 'VV'));
    const plan = planImport(current, file, 'merge');
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.refusal).toEqual({
      kind: 'code-taken',
      group: 'Vendors',
      code: 'VV',
      takenBy: 'Lab',
    });
    expect(plan.reason).toMatch(/badge code VV.*Lab/);
    current.groups.pop();
    expect(current).toEqual(before);
  });

  it('still enforces the limits: too many groups, too many ASNs in all', () => {
    const current = defaults();
    for (let i = current.groups.length; i < MAX_GROUPS; i++) {
      current.groups.push(
        custom(`G${i}`, `G${i}`.slice(0, 3).padEnd(2, 'X'), { asns: [], prefixes: [] }),
      );
    }
    const many = planImport(current, oneGroupFile(), 'merge');
    expect(many.ok).toBe(false);
    if (!many.ok)
      expect(many.refusal).toMatchObject({ kind: 'too-many-groups', count: MAX_GROUPS + 1 });

    const big = defaults();
    const used = big.groups.reduce((n, g) => n + g.asns.length, 0);
    const bulk = Array.from({ length: MAX_TOTAL_ASNS - used }, (_, i) => ({ asn: 200000 + i }));
    big.groups.push(custom('Bulk', 'BK', { asns: bulk.slice(0, 5000), prefixes: [] }));
    big.groups.push(custom('Bulk 2', 'B2', { asns: bulk.slice(5000), prefixes: [] }));
    const file = fileOf({
      builtins: [],
      groups: [{ ...custom('More', 'MO', { asns: [{ asn: 3356 }] }), builtin: undefined }],
    });
    const over = planImport(big, file, 'merge');
    expect(over.ok).toBe(false);
    if (!over.ok) {
      expect(over.refusal).toMatchObject({
        kind: 'total-too-large',
        what: 'asns',
        limit: MAX_TOTAL_ASNS,
      });
    }
  });

  it('counts the groups left switched on, so a page can ask before leaving none', () => {
    const current = defaults();
    const file = fileOf({
      builtins: ['china-telecom', 'china-mobile', 'china-unicom'].map((id) => ({
        id,
        enabled: false,
        asns: [],
        prefixes: [],
      })),
      groups: [],
    });
    const plan = planImport(current, file, 'merge');
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.enabledGroups).toBe(0);
  });
});

describe('replacing the watchlist with a file', () => {
  it('drops the user’s own groups and resets built-in groups the file does not mention', () => {
    const current = defaults();
    current.groups[0] = { ...current.groups[0]!, enabled: false };
    current.groups.push(custom('Lab', 'LB'));
    const plan = planImport(current, oneGroupFile(), 'replace');
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.watchlist.groups.map((g) => g.name)).toEqual([
      ...DEFAULT_WATCHLIST.groups.map((g) => g.name),
      'Cloud vendors',
    ]);
    expect(plan.watchlist.groups[0]!.enabled).toBe(true);
    expect(plan.removed).toEqual(['Lab']);
    expect(plan.added).toEqual(['Cloud vendors']);
    expect(plan.changed).toEqual(['China Telecom']);
  });
});

describe('an import that leaves a built-in carrier unwatched', () => {
  it('is no warning when the carriers stay watched', () => {
    const plan = planImport(defaults(), oneGroupFile(), 'merge');
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.unwatchedCarriers).toEqual([]);
    const replaced = planImport(defaults(), oneGroupFile(), 'replace');
    if (!replaced.ok) throw new Error(replaced.reason);
    // Replace resets the built-in groups the file does not mention: still watched.
    expect(replaced.unwatchedCarriers).toEqual([]);
  });

  it('merge: names the carrier a file switches off while another group stays on', () => {
    const file = fileOf({
      builtins: [{ id: 'china-mobile', enabled: false, asns: [{ asn: 9808 }], prefixes: [] }],
      groups: [{ ...custom('Cloud vendors', 'CV'), builtin: undefined }],
    });
    const plan = planImport(defaults(), file, 'merge');
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.enabledGroups).toBeGreaterThan(0);
    expect(plan.unwatchedCarriers).toEqual(['china-mobile']);
  });

  it('replace: names each carrier the file leaves with no ASNs and no prefixes, in a fixed order', () => {
    const file = fileOf({
      builtins: [
        { id: 'china-unicom', enabled: true, asns: [], prefixes: [] },
        { id: 'china-telecom', enabled: true, asns: [], prefixes: [] },
        { id: 'china-mobile', enabled: true, asns: [], prefixes: ['39.128.0.0/10'] },
      ],
      groups: [],
    });
    const plan = planImport(defaults(), file, 'replace');
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.unwatchedCarriers).toEqual(['china-telecom', 'china-unicom']);
  });

  it('replace: names a carrier switched off by the file', () => {
    const file = fileOf({
      builtins: [{ id: 'china-telecom', enabled: false, asns: [{ asn: 4134 }], prefixes: [] }],
      groups: [],
    });
    const plan = planImport(defaults(), file, 'replace');
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.unwatchedCarriers).toEqual(['china-telecom']);
  });

  it('does not name a carrier the user had already switched off, nor one the import switches on', () => {
    const before = defaults();
    before.groups[0] = { ...before.groups[0]!, enabled: false };
    const after = defaults();
    after.groups[0] = { ...after.groups[0]!, enabled: false };
    expect(carriersNoLongerWatched(before, after)).toEqual([]);
    expect(carriersNoLongerWatched(before, defaults())).toEqual([]);
  });

  it('counts a carrier group gone from the watchlist as unwatched, and ignores PCCW', () => {
    const after = defaults();
    after.groups = after.groups.filter((g) => g.id !== 'china-unicom' && g.id !== 'pccw');
    const before = defaults();
    before.groups[3] = { ...before.groups[3]!, enabled: true };
    expect(carriersNoLongerWatched(before, after)).toEqual(['china-unicom']);
  });
});
