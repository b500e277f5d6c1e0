import { describe, expect, it } from 'vitest';
import { exportWatchlist, importWatchlist } from '../../../lib/watchlist/import-export';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import { sampleWatchlist } from './fixtures';

function reasonOf(text: string): string {
  const result = importWatchlist(text);
  if (result.ok) throw new Error('expected the import to be refused');
  return result.reason;
}

describe('export / import', () => {
  it('round-trips the sample and the defaults', () => {
    for (const watchlist of [sampleWatchlist(), DEFAULT_WATCHLIST]) {
      const text = exportWatchlist(watchlist);
      const parsed = JSON.parse(text);
      expect(parsed.format).toBe('carrierflag-watchlist');
      expect(parsed.version).toBe(1);
      expect(importWatchlist(text)).toEqual({ ok: true, watchlist });
    }
  });

  it('refuses broken JSON, other formats and other versions', () => {
    expect(reasonOf('')).toMatch(/empty/);
    expect(reasonOf('{"format": "carrierflag-watchlist",')).toMatch(/not valid JSON/);
    expect(reasonOf('[]')).toMatch(/expected an object/);
    expect(reasonOf('{"groups": []}')).toMatch(/"format" must be "carrierflag-watchlist"/);
    expect(reasonOf('{"format": "other", "version": 1, "groups": []}')).toMatch(/format/);
    expect(reasonOf('{"format": "carrierflag-watchlist", "version": 2, "groups": []}')).toMatch(
      /version 2 is not supported/,
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
  });

  it('refuses the whole file when one entry deep inside is wrong: no partial result', () => {
    const file = JSON.parse(exportWatchlist(sampleWatchlist()));
    file.groups[2].prefixes.push('192.0.2.1/24');
    const result = importWatchlist(JSON.stringify(file));
    expect(result).toEqual({
      ok: false,
      reason:
        "group 3 'Switched off': prefix '192.0.2.1/24': host bits set: did you mean 192.0.2.0/24?",
    });
  });

  it('imports an empty watchlist (the user removed everything) as such', () => {
    expect(importWatchlist('{"format":"carrierflag-watchlist","version":1,"groups":[]}')).toEqual({
      ok: true,
      watchlist: { groups: [] },
    });
  });
});
