import { describe, expect, it } from 'vitest';
import { parsePrefixInput, validateWatchlist } from '../../../lib/watchlist/validate';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import { sampleWatchlist } from './fixtures';

function withGroup2(change: (group: Record<string, unknown>) => void): unknown {
  const value = JSON.parse(JSON.stringify(sampleWatchlist()));
  change(value.groups[1]);
  return value;
}

function reasonOf(value: unknown): string {
  const result = validateWatchlist(value);
  if (result.ok) throw new Error('expected the watchlist to be refused');
  return result.reason;
}

describe('validateWatchlist', () => {
  it('accepts the sample and the defaults, returning an equal copy that shares nothing', () => {
    const sample = sampleWatchlist();
    const result = validateWatchlist(sample);
    expect(result).toEqual({ ok: true, watchlist: sample });
    if (result.ok) {
      expect(result.watchlist).not.toBe(sample);
      expect(result.watchlist.groups[1]).not.toBe(sample.groups[1]);
      expect(result.watchlist.groups[1]!.prefixes).not.toBe(sample.groups[1]!.prefixes);
      expect(result.watchlist.groups[0]!.asns[0]!.sources).not.toBe(
        sample.groups[0]!.asns[0]!.sources,
      );
    }
    expect(validateWatchlist(DEFAULT_WATCHLIST)).toEqual({
      ok: true,
      watchlist: DEFAULT_WATCHLIST,
    });
  });

  it('refuses non-objects', () => {
    for (const value of [null, undefined, 42, 'x', [], { groups: 'no' }, {}]) {
      expect(validateWatchlist(value).ok).toBe(false);
    }
  });

  it('names the group and field in the reason', () => {
    expect(reasonOf(withGroup2((g) => (g.prefixes = ['10.0.0.1/8'])))).toBe(
      "group 2 'Lab': prefix '10.0.0.1/8': host bits set: did you mean 10.0.0.0/8?",
    );
    expect(reasonOf(withGroup2((g) => (g.code = 'lab')))).toMatch(
      /^group 2 'Lab': code 'lab' must be 2–3 uppercase/,
    );
    expect(reasonOf(withGroup2((g) => (g.asns = [{ asn: 23456 }])))).toMatch(
      /^group 2 'Lab': asns\[0\]: asn AS23456 is AS_TRANS/,
    );
  });

  it.each([
    ['code too long', (g: Record<string, unknown>) => (g.code = 'ABCD'), /code 'ABCD'/],
    ['code too short', (g: Record<string, unknown>) => (g.code = 'A'), /code 'A'/],
    ['code with punctuation', (g: Record<string, unknown>) => (g.code = 'C!'), /code/],
    ['code not text', (g: Record<string, unknown>) => (g.code = 12), /code 12/],
    ['empty name', (g: Record<string, unknown>) => (g.name = ' '), /name must be a non-empty/],
    ['bad id', (g: Record<string, unknown>) => (g.id = 'Has Space'), /id 'Has Space'/],
    ['enabled not boolean', (g: Record<string, unknown>) => (g.enabled = 'yes'), /enabled must be/],
    ['builtin missing', (g: Record<string, unknown>) => delete g.builtin, /builtin must be/],
    [
      'asns not a list',
      (g: Record<string, unknown>) => (g.asns = { asn: 1 }),
      /asns must be a list/,
    ],
    [
      'asn as string',
      (g: Record<string, unknown>) => (g.asns = [{ asn: '4134' }]),
      /asns\[0\]: asn '4134' is not a whole number/,
    ],
    [
      'asn as bare number',
      (g: Record<string, unknown>) => (g.asns = [4134]),
      /asns\[0\]: must be an object/,
    ],
    [
      'asn fraction',
      (g: Record<string, unknown>) => (g.asns = [{ asn: 1.5 }]),
      /not a whole number/,
    ],
    [
      'asn too large',
      (g: Record<string, unknown>) => (g.asns = [{ asn: 2 ** 32 }]),
      /outside the AS number range/,
    ],
    [
      'duplicate asn',
      (g: Record<string, unknown>) => (g.asns = [{ asn: 7 }, { asn: 7 }]),
      /AS7 is listed twice/,
    ],
    [
      'bad confidence',
      (g: Record<string, unknown>) => (g.asns = [{ asn: 7, confidence: 'sure' }]),
      /confidence 'sure'/,
    ],
    [
      'sources not texts',
      (g: Record<string, unknown>) => (g.asns = [{ asn: 7, sources: [1] }]),
      /sources must be a list/,
    ],
    [
      'note not text',
      (g: Record<string, unknown>) => (g.asns = [{ asn: 7, note: 5 }]),
      /note must be text/,
    ],
    [
      'unknown asn field',
      (g: Record<string, unknown>) => (g.asns = [{ asn: 7, org: 'x' }]),
      /unknown field 'org'/,
    ],
    [
      'unknown group field',
      (g: Record<string, unknown>) => (g.colour = 'red'),
      /unknown field 'colour'/,
    ],
    [
      'prefix not text',
      (g: Record<string, unknown>) => (g.prefixes = [42]),
      /prefix 42 is not text/,
    ],
    [
      'prefix garbage',
      (g: Record<string, unknown>) => (g.prefixes = ['banana/8']),
      /prefix 'banana\/8'/,
    ],
    [
      'prefix without length',
      (g: Record<string, unknown>) => (g.prefixes = ['10.0.0.0']),
      /no prefix length/,
    ],
    [
      'prefix length too long',
      (g: Record<string, unknown>) => (g.prefixes = ['10.0.0.0/33']),
      /greater than 32/,
    ],
    [
      'v6 host bits',
      (g: Record<string, unknown>) => (g.prefixes = ['2001:db8::1/32']),
      /host bits set/,
    ],
    [
      'non-canonical v6',
      (g: Record<string, unknown>) => (g.prefixes = ['2001:DB8::/32']),
      /not in canonical form \(write '2001:db8::\/32'\)/,
    ],
    [
      'padded prefix',
      (g: Record<string, unknown>) => (g.prefixes = [' 10.0.0.0/8']),
      /canonical form/,
    ],
    [
      'duplicate prefix',
      (g: Record<string, unknown>) => (g.prefixes = ['10.0.0.0/8', '10.0.0.0/8']),
      /listed twice/,
    ],
  ])('refuses %s', (_label, change, reason) => {
    const reasonText = reasonOf(withGroup2(change));
    expect(reasonText).toMatch(/^group 2/);
    expect(reasonText).toMatch(reason);
  });

  it('refuses duplicate ids, names and codes across groups', () => {
    expect(reasonOf(withGroup2((g) => (g.id = 'china-telecom')))).toMatch(
      /id 'china-telecom' is used twice/,
    );
    expect(reasonOf(withGroup2((g) => (g.name = 'CHINA TELECOM')))).toMatch(/same name/);
    expect(reasonOf(withGroup2((g) => (g.code = 'CT')))).toMatch(/code 'CT' is already used/);
  });

  it('drops nothing silently: a valid list keeps every ASN and prefix in order', () => {
    const value = withGroup2((g) => {
      g.asns = [{ asn: 3 }, { asn: 1 }, { asn: 2 }];
      g.prefixes = ['10.0.0.0/8', '::/0', '0.0.0.0/0'];
    });
    const result = validateWatchlist(value);
    expect(result.ok && result.watchlist.groups[1]!.asns.map((a) => a.asn)).toEqual([3, 1, 2]);
    expect(result.ok && result.watchlist.groups[1]!.prefixes).toEqual([
      '10.0.0.0/8',
      '::/0',
      '0.0.0.0/0',
    ]);
  });
});

describe('parsePrefixInput', () => {
  it('canonicalises what the user typed', () => {
    expect(parsePrefixInput(' 2001:DB8:0:0::/32 ')).toMatchObject({
      ok: true,
      prefix: '2001:db8::/32',
    });
    expect(parsePrefixInput('203.0.113.0/24')).toMatchObject({
      ok: true,
      prefix: '203.0.113.0/24',
    });
  });

  it('refuses a bare address instead of guessing a length', () => {
    const result = parsePrefixInput('203.0.113.7');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/203\.0\.113\.7\/32/);
  });
});
