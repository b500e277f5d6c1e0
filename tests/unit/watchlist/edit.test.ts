import { describe, expect, it } from 'vitest';
import {
  addAsn,
  addGroup,
  addPrefix,
  removeAsn,
  removeGroup,
  removePrefix,
  setGroupEnabled,
} from '../../../lib/watchlist/edit';
import type { Watchlist } from '../../../lib/watchlist/model';
import { validateWatchlist } from '../../../lib/watchlist/validate';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import { sampleWatchlist } from './fixtures';

/** Runs an edit and checks the input was not touched, whatever the outcome. */
function edit<R>(run: (w: Watchlist) => R): { before: Watchlist; result: R } {
  const before = sampleWatchlist();
  const snapshot = structuredClone(before);
  const result = run(before);
  expect(before).toEqual(snapshot);
  return { before, result };
}

function ok(result: { ok: true; watchlist: Watchlist } | { ok: false; reason: string }): Watchlist {
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  // Every edit must leave a watchlist that would pass validation (e.g. after a save and reload).
  expect(validateWatchlist(result.watchlist).ok).toBe(true);
  return result.watchlist;
}

function reason(result: { ok: boolean; reason?: string }): string {
  expect(result.ok).toBe(false);
  return result.reason ?? '';
}

describe('addAsn / removeAsn', () => {
  it('adds a typed ASN to the right group only', () => {
    const { before, result } = edit((w) => addAsn(w, 'custom-lab', ' as58453 '));
    const after = ok(result);
    expect(after).not.toBe(before);
    expect(after.groups[1]!.asns.map((a) => a.asn)).toEqual([13335, 58453]);
    expect(after.groups[0]).toBe(before.groups[0]);
  });

  it('refuses duplicates, bad input and unknown groups', () => {
    expect(reason(edit((w) => addAsn(w, 'custom-lab', 'AS13335')).result)).toBe(
      'AS13335 is already in Lab',
    );
    expect(reason(edit((w) => addAsn(w, 'custom-lab', 'AS23456')).result)).toMatch(/AS_TRANS/);
    expect(reason(edit((w) => addAsn(w, 'custom-lab', 'hello')).result)).toMatch(
      /not an AS number/,
    );
    expect(reason(edit((w) => addAsn(w, 'nope', '4134')).result)).toBe("no group with id 'nope'");
  });

  it('removes by number or text, and says when it is not there', () => {
    expect(ok(edit((w) => removeAsn(w, 'china-telecom', 4134)).result).groups[0]!.asns).toEqual([]);
    expect(ok(edit((w) => removeAsn(w, 'china-telecom', 'AS4134')).result).groups[0]!.asns).toEqual(
      [],
    );
    expect(reason(edit((w) => removeAsn(w, 'china-telecom', 4809)).result)).toBe(
      'AS4809 is not in China Telecom',
    );
    expect(reason(edit((w) => removeAsn(w, 'china-telecom', 'x')).result)).toMatch(
      /not an AS number/,
    );
  });
});

describe('addPrefix / removePrefix', () => {
  it('stores the canonical form', () => {
    const after = ok(edit((w) => addPrefix(w, 'custom-lab', '2400:CB00:BB::/48')).result);
    expect(after.groups[1]!.prefixes).toEqual([
      '198.51.100.0/24',
      '2001:db8:aa::/48',
      '2400:cb00:bb::/48',
    ]);
  });

  it('refuses host bits, bare addresses and duplicates in any spelling', () => {
    expect(reason(edit((w) => addPrefix(w, 'custom-lab', '10.0.0.1/8')).result)).toMatch(
      /host bits set: did you mean 10\.0\.0\.0\/8/,
    );
    expect(reason(edit((w) => addPrefix(w, 'custom-lab', '10.0.0.1')).result)).toMatch(
      /no prefix length/,
    );
    const added = ok(edit((w) => addPrefix(w, 'custom-lab', '2400:cb00:bb::/48')).result);
    expect(reason(addPrefix(added, 'custom-lab', '2400:CB00:00BB::/48'))).toBe(
      '2400:cb00:bb::/48 is already in Lab',
    );
  });

  it('removes any spelling of a stored prefix', () => {
    const after = ok(edit((w) => removePrefix(w, 'custom-lab', '2001:0DB8:00AA::/48')).result);
    expect(after.groups[1]!.prefixes).toEqual(['198.51.100.0/24']);
    expect(reason(edit((w) => removePrefix(w, 'custom-lab', '10.0.0.0/8')).result)).toMatch(
      /not in Lab/,
    );
  });
});

describe('groups', () => {
  it('adds an enabled custom group with a fresh id and an upper-cased code', () => {
    const { result } = edit((w) => addGroup(w, '  My hosts ', 'mh'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.groupId).toBe('custom-my-hosts');
    expect(result.watchlist.groups.at(-1)).toEqual({
      id: 'custom-my-hosts',
      name: 'My hosts',
      code: 'MH',
      enabled: true,
      builtin: false,
      asns: [],
      prefixes: [],
    });
    ok(result);
    const second = addGroup(result.watchlist, 'My hosts!', 'M2');
    expect(second.ok && second.groupId).toBe('custom-my-hosts-2');
    const unnamed = addGroup(result.watchlist, '中国', 'ZH');
    expect(unnamed.ok && unnamed.groupId).toBe('custom');
  });

  it('refuses bad codes, duplicate names and duplicate codes', () => {
    expect(reason(edit((w) => addGroup(w, 'X', 'ABCD')).result)).toMatch(/code 'ABCD' must be 2–3/);
    expect(reason(edit((w) => addGroup(w, 'X', 'A-')).result)).toMatch(/code/);
    expect(reason(edit((w) => addGroup(w, '', 'XX')).result)).toMatch(/name/);
    expect(reason(edit((w) => addGroup(w, 'x'.repeat(61), 'XX')).result)).toMatch(/longer than 60/);
    expect(reason(edit((w) => addGroup(w, 'lab', 'XX')).result)).toBe(
      "a group named 'Lab' already exists",
    );
    expect(reason(edit((w) => addGroup(w, 'Other', 'ct')).result)).toBe(
      'code CT is already used by China Telecom',
    );
  });

  it('removes custom groups only', () => {
    const after = ok(edit((w) => removeGroup(w, 'custom-lab')).result);
    expect(after.groups.map((g) => g.id)).toEqual(['china-telecom', 'off']);
    expect(reason(edit((w) => removeGroup(w, 'china-telecom')).result)).toMatch(
      /built in: disable it/,
    );
    expect(reason(edit((w) => removeGroup(w, 'gone')).result)).toMatch(/no group/);
  });

  it('enables and disables', () => {
    expect(
      ok(edit((w) => setGroupEnabled(w, 'china-telecom', false)).result).groups[0]!.enabled,
    ).toBe(false);
    expect(ok(edit((w) => setGroupEnabled(w, 'off', true)).result).groups[2]!.enabled).toBe(true);
    expect(reason(edit((w) => setGroupEnabled(w, 'gone', true)).result)).toMatch(/no group/);
  });

  it('edits the frozen defaults without throwing and without changing them', () => {
    const snapshot = structuredClone(DEFAULT_WATCHLIST);
    const after = ok(addAsn(DEFAULT_WATCHLIST, 'china-telecom', 'AS131072'));
    expect(after.groups[0]!.asns.at(-1)).toEqual({ asn: 131072 });
    expect(ok(setGroupEnabled(DEFAULT_WATCHLIST, 'pccw', true)).groups[3]!.enabled).toBe(true);
    expect(DEFAULT_WATCHLIST).toEqual(snapshot);
  });
});

describe('typed values get the same refusals as imports', () => {
  it.each([
    ['0.0.0.0/0', /matches every IPv4 address/],
    ['::/0', /matches every IPv6 address/],
    ['10.1.0.0/16', /private network range .*never looks such addresses up/],
    ['127.0.0.0/8', /loopback/],
    ['203.0.113.0/24', /documentation range/],
    ['2001:db8:1::/48', /documentation range/],
  ])('a prefix %s', (prefix, why) => {
    expect(reason(edit((w) => addPrefix(w, 'custom-lab', prefix)).result)).toMatch(why);
  });

  it.each([
    ['\u202eevil', /text-direction override \(U\+202E\)/],
    ['a\u2067b', /text-direction override \(U\+2067\)/],
    ['zero\u200dwidth', /invisible character \(U\+200D\)/],
    ['tab\there', /control character \(U\+0009\)/],
  ])('a group name with hidden characters (%j)', (name, why) => {
    expect(reason(edit((w) => addGroup(w, name, 'ZZ')).result)).toMatch(why);
  });
});

describe('refusals carry a code for the pages (words in the user language)', () => {
  it('names the entry and the group, or what was typed', () => {
    expect(addAsn(DEFAULT_WATCHLIST, 'china-telecom', '4134')).toMatchObject({
      ok: false,
      refusal: {
        kind: 'already-listed',
        entry: 'AS4134',
        group: { id: 'china-telecom', name: 'China Telecom' },
      },
    });
    expect(addAsn(DEFAULT_WATCHLIST, 'china-telecom', ' nonsense ')).toMatchObject({
      ok: false,
      refusal: { kind: 'bad-asn', input: 'nonsense' },
    });
    expect(addPrefix(DEFAULT_WATCHLIST, 'china-telecom', '10.0.0.0/33')).toMatchObject({
      ok: false,
      refusal: { kind: 'bad-prefix', input: '10.0.0.0/33' },
    });
    expect(removeGroup(DEFAULT_WATCHLIST, 'china-mobile')).toMatchObject({
      ok: false,
      refusal: { kind: 'built-in', group: { id: 'china-mobile' } },
    });
  });
});
