import { describe, expect, it, vi } from 'vitest';
import {
  describeSaveFailure,
  exportWatchlist,
  importWatchlist,
  importWatchlistFile,
} from '../../../lib/watchlist/import-export';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import { MAX_IMPORT_CHARS, type WatchGroup, type Watchlist } from '../../../lib/watchlist/model';
import { NEVER_LOOKED_UP_RANGES } from '../../../lib/watchlist/validate';
import { publicSampleWatchlist } from './fixtures';

function reasonOf(text: string): string {
  const result = importWatchlist(text);
  if (result.ok) throw new Error('expected the import to be refused');
  return result.reason;
}

/** The defaults plus the sample's custom groups: what a real user's watchlist looks like. */
function userWatchlist(): Watchlist {
  const custom = publicSampleWatchlist().groups.filter((g) => !g.builtin);
  return { groups: [...structuredClone(DEFAULT_WATCHLIST.groups), ...custom] };
}

function customGroup(change: Partial<WatchGroup> & Record<string, unknown> = {}): unknown {
  return {
    id: 'custom-x',
    name: 'X',
    code: 'XX',
    enabled: true,
    asns: [],
    prefixes: [],
    ...change,
  };
}

function v2(groups: unknown[], builtins: unknown[] = []): string {
  return JSON.stringify({ format: 'carrierflag-watchlist', version: 2, builtins, groups });
}

function v1(groups: unknown[]): string {
  return JSON.stringify({ format: 'carrierflag-watchlist', version: 1, groups });
}

describe('export / import', () => {
  it('round-trips the defaults and a user watchlist in format version 2', () => {
    for (const watchlist of [DEFAULT_WATCHLIST, userWatchlist()]) {
      const text = exportWatchlist(watchlist);
      const parsed = JSON.parse(text);
      expect(parsed.format).toBe('carrierflag-watchlist');
      expect(parsed.version).toBe(2);
      // Built-in groups are written as state only: their names and codes come from the release.
      expect(parsed.builtins[0]).toEqual({
        id: 'china-telecom',
        enabled: true,
        asns: DEFAULT_WATCHLIST.groups[0]!.asns,
        prefixes: [],
      });
      expect(parsed.groups.every((g: Record<string, unknown>) => !('builtin' in g))).toBe(true);
      expect(importWatchlist(text)).toEqual({ ok: true, watchlist });
    }
  });

  it('still reads version 1 files, as the previous release exported them', () => {
    const old = JSON.stringify({
      format: 'carrierflag-watchlist',
      version: 1,
      groups: userWatchlist().groups,
    });
    expect(importWatchlist(old)).toEqual({ ok: true, watchlist: userWatchlist() });
  });

  it('keeps the release defaults for built-in groups the file does not mention', () => {
    const result = importWatchlist(v2([customGroup()]));
    if (!result.ok) throw new Error(result.reason);
    expect(result.watchlist.groups.slice(0, -1)).toEqual(DEFAULT_WATCHLIST.groups);
    expect(result.watchlist.groups.at(-1)).toMatchObject({ id: 'custom-x', builtin: false });
  });

  it('refuses broken JSON, other formats and other versions', () => {
    expect(reasonOf('')).toMatch(/empty/);
    expect(reasonOf('{"format": "carrierflag-watchlist",')).toMatch(/not valid JSON/);
    expect(reasonOf('[]')).toMatch(/expected an object/);
    expect(reasonOf('{"groups": []}')).toMatch(/"format" must be "carrierflag-watchlist"/);
    expect(reasonOf('{"format": "other", "version": 1, "groups": []}')).toMatch(/format/);
    expect(reasonOf('{"format": "carrierflag-watchlist", "version": 3, "groups": []}')).toMatch(
      /version 3 is not supported/,
    );
    expect(reasonOf('{"format": "carrierflag-watchlist", "version": "1", "groups": []}')).toMatch(
      /version "1" is not supported/,
    );
    expect(reasonOf('{"format": "carrierflag-watchlist", "groups": []}')).toMatch(
      /version missing/,
    );
    expect(
      reasonOf('{"format": "carrierflag-watchlist", "version": 1, "groups": [], "x": 1}'),
    ).toMatch(/unknown field 'x'/);
    expect(reasonOf('{"format": "carrierflag-watchlist", "version": 2, "groups": []}')).toMatch(
      /no 'builtins' list/,
    );
  });

  it('refuses the whole file when one entry deep inside is wrong: no partial result', () => {
    const file = JSON.parse(exportWatchlist(userWatchlist()));
    file.groups[1].prefixes.push('8.8.9.1/24');
    const result = importWatchlist(JSON.stringify(file));
    expect(result).toEqual({
      ok: false,
      reason:
        "group 2 'Switched off': prefix '8.8.9.1/24': host bits set: did you mean 8.8.9.0/24?",
    });
  });
});

describe('imports refuse what can never be right', () => {
  it.each([
    ['0.0.0.0/0', /0\.0\.0\.0\/0 matches every IPv4 address/],
    ['::/0', /::\/0 matches every IPv6 address/],
    ['10.0.0.0/8', /private network range .*never looks such addresses up/],
    ['192.168.1.0/24', /private network range/],
    ['127.0.0.0/8', /loopback/],
    ['192.0.2.0/24', /documentation range/],
    ['2001:db8::/32', /documentation range/],
    ['fd00::/8', /unique local/],
    ['::1/128', /unspecified, loopback/],
  ])('a prefix %s, saying why', (prefix, reason) => {
    expect(reasonOf(v2([customGroup({ prefixes: [prefix] })]))).toMatch(reason);
    expect(reasonOf(v1([customGroup({ builtin: false, prefixes: [prefix] })]))).toMatch(reason);
  });

  it('accepts a public prefix that merely contains a special range', () => {
    expect(importWatchlist(v2([customGroup({ prefixes: ['10.0.0.0/7', '2000::/3'] })])).ok).toBe(
      true,
    );
  });

  it('has ranges that really are never looked up', async () => {
    const { classifyIp } = await import('../../../lib/ip/classify');
    const { cidrBounds, parseCidr } = await import('../../../lib/ip/cidr');
    for (const text of NEVER_LOOKED_UP_RANGES) {
      const parsed = parseCidr(text);
      if (!parsed.ok) throw new Error(parsed.reason);
      const { first, last } = cidrBounds(parsed.cidr);
      expect([text, classifyIp(first)]).not.toEqual([text, 'public']);
      expect([text, classifyIp(last)]).not.toEqual([text, 'public']);
    }
  });

  it('groups claiming to be built in', () => {
    expect(reasonOf(v2([customGroup({ builtin: true })]))).toMatch(
      /group 1 'X' claims to be built in: only the groups that ship with CarrierFlag/,
    );
    expect(reasonOf(v1([customGroup({ builtin: true })]))).toMatch(/claims to be built in/);
    expect(reasonOf(v2([customGroup({ id: 'china-telecom', builtin: false })]))).toMatch(
      /id 'china-telecom' belongs to the built-in group China Telecom/,
    );
    expect(reasonOf(v1([customGroup({ id: 'china-mobile', builtin: false })]))).toMatch(
      /belongs to the built-in group China Mobile/,
    );
    expect(
      reasonOf(v2([], [{ id: 'not-a-carrier', enabled: true, asns: [], prefixes: [] }])),
    ).toMatch(/"not-a-carrier" is not a built-in group of this release/);
    expect(
      reasonOf(
        v2([], [{ id: 'china-telecom', name: 'Mine', enabled: true, asns: [], prefixes: [] }]),
      ),
    ).toMatch(/unknown field 'name'.*come from CarrierFlag itself/);
  });

  it.each([
    ['\u202eChina Telecom', /text-direction override \(U\+202E\)/],
    ['Safe\u2066 group', /text-direction override \(U\+2066\)/],
    ['Zero\u200bwidth', /invisible character \(U\+200B\)/],
    ['Bell\u0007', /control character \(U\+0007\)/],
    ['Mark\u200f', /text-direction mark \(U\+200F\)/],
  ])('a name with hidden characters (%j)', (name, reason) => {
    const why = reasonOf(v2([customGroup({ name })]));
    expect(why).toMatch(reason);
    expect(why).toMatch(/must look the same wherever it is shown/);
    // The message itself shows the character as a code point, never raw.
    for (const hidden of ['\u202e', '\u2066', '\u200b', '\u0007', '\u200f']) {
      expect(why).not.toContain(hidden);
    }
  });
});

describe('import size cap and storage failures', () => {
  it('refuses text over the cap before parsing it', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const huge = `{"format":"carrierflag-watchlist","version":2,"builtins":[],"groups":[],"pad":"${'x'.repeat(MAX_IMPORT_CHARS)}"}`;
    expect(reasonOf(huge)).toMatch(/too large.*limit is 2 MiB/);
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
  });

  it('refuses a file over the cap without reading it', async () => {
    const text = vi.fn(() => Promise.resolve(''));
    const store = vi.fn(() => Promise.resolve(null));
    const result = await importWatchlistFile({ size: MAX_IMPORT_CHARS + 1, text }, store);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/too large \(2\.0 MiB\)/) as unknown as string,
    });
    expect(text).not.toHaveBeenCalled();
    expect(store).not.toHaveBeenCalled();
  });

  it('a file that parses but cannot be stored (quota) gets a plain message', async () => {
    const file = exportWatchlist(userWatchlist());
    const store = vi.fn(() =>
      Promise.reject(
        new Error('CarrierFlag could not handle save-settings: QUOTA_BYTES quota exceeded'),
      ),
    );
    const result = await importWatchlistFile(
      { size: file.length, text: () => Promise.resolve(file) },
      store,
    );
    expect(store).toHaveBeenCalledOnce();
    expect(result).toEqual({
      ok: false,
      reason:
        "the browser's storage for this extension is full, so the settings could not be saved; your previous settings are unchanged",
    });
  });

  it('passes on a refusal from the store, and a read failure, in words', async () => {
    const file = exportWatchlist(userWatchlist());
    const read = () => Promise.resolve(file);
    expect(
      await importWatchlistFile({ size: file.length, text: read }, () => Promise.resolve('nope')),
    ).toEqual({ ok: false, reason: 'nope' });
    expect(
      await importWatchlistFile({ size: 3, text: () => Promise.reject(new Error('gone')) }, () =>
        Promise.resolve(null),
      ),
    ).toEqual({ ok: false, reason: 'the file could not be read' });
    expect(describeSaveFailure(new Error('disk on fire'))).toBe(
      'the settings could not be saved (disk on fire); your previous settings are unchanged',
    );
  });
});
