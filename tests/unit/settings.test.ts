import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_ROUTING_SOURCES } from '../../lib/data-update/source-url';
import {
  MAX_ALLOWLIST_ENTRIES,
  defaultSettings,
  allowlistWithout,
  isAllowlisted,
  migrateSettings,
  parseAllowlistEntry,
  resolverUrlOf,
  validateSettings,
} from '../../lib/settings';

describe('settings', () => {
  it('defaults to the three carriers, Cloudflare, privacy mode off', () => {
    const settings = defaultSettings();
    expect(settings.watchlist.groups.filter((g) => g.enabled).map((g) => g.code)).toEqual([
      'CT',
      'CM',
      'CU',
    ]);
    expect(resolverUrlOf(settings.resolver)).toBe('https://cloudflare-dns.com/dns-query');
    expect(settings.privacyMode).toBe(false);
  });

  it('hands out independent copies of the defaults', () => {
    const a = defaultSettings();
    a.watchlist.groups[0]!.enabled = false;
    expect(defaultSettings().watchlist.groups[0]!.enabled).toBe(true);
  });

  it('migrates nothing stored to the defaults and marks it to be written', () => {
    const migrated = migrateSettings(undefined);
    expect(migrated.changed).toBe(true);
    expect(migrated.settings).toEqual(defaultSettings());
  });

  it('keeps valid stored settings as they are', () => {
    const stored = { ...defaultSettings(), privacyMode: true, allowlist: ['example.com'] };
    const migrated = migrateSettings(JSON.parse(JSON.stringify(stored)));
    expect(migrated.changed).toBe(false);
    expect(migrated.settings.privacyMode).toBe(true);
    expect(migrated.settings.allowlist).toEqual(['example.com']);
  });

  it('migrates version 1 settings to the current version with the third-party count on, keeping the rest', () => {
    const {
      countThirdPartyHosts: _dropped,
      dataUpdate: _added,
      ...rest
    } = {
      ...defaultSettings(),
      privacyMode: true,
      allowlist: ['example.com'],
    };
    void _dropped;
    void _added;
    const migrated = migrateSettings(JSON.parse(JSON.stringify({ ...rest, version: 1 })));
    expect(migrated.problem).toBeUndefined();
    expect(migrated.changed).toBe(true);
    expect(migrated.settings).toMatchObject({
      version: 5,
      countThirdPartyHosts: true,
      privacyMode: true,
      allowlist: ['example.com'],
    });
  });

  it('migrates version 2 settings to weekly updates from the current upstream sources, keeping the rest', () => {
    const { dataUpdate: _added, ...rest } = { ...defaultSettings(), countThirdPartyHosts: false };
    void _added;
    const migrated = migrateSettings(JSON.parse(JSON.stringify({ ...rest, version: 2 })));
    expect(migrated.problem).toBeUndefined();
    expect(migrated.changed).toBe(true);
    expect(migrated.settings).toMatchObject({
      version: 5,
      countThirdPartyHosts: false,
      dataUpdate: { automatic: true, sources: [...DEFAULT_ROUTING_SOURCES] },
    });
  });

  it('migrates version 3: the frozen npm default becomes the new sources, a custom folder keeps its files', () => {
    const v3 = (sourceUrl: string) => ({
      ...JSON.parse(JSON.stringify(defaultSettings())),
      version: 3,
      dataUpdate: { automatic: false, sourceUrl },
    });
    const fromDefault = migrateSettings(v3('https://cdn.jsdelivr.net/npm/@ip-location-db/asn/'));
    expect(fromDefault.problem).toBeUndefined();
    expect(fromDefault.settings.dataUpdate).toEqual({
      automatic: false,
      sources: [
        'https://github.com/sapics/ip-location-db/releases/download/latest/',
        'https://iptoasn.com/data/ip2asn-combined.tsv.gz',
      ],
    });
    const custom = migrateSettings(v3('https://mirror.example/asn/'));
    expect(custom.changed).toBe(true);
    expect(custom.settings.dataUpdate.sources).toEqual([
      'https://mirror.example/asn/asn-ipv4-num.csv',
    ]);
  });

  describe('version 3 to 4: HKBN into China Mobile, the built-in groups gain what the audit found', () => {
    const HKBN = [9269, 9381, 10103, 17444, 17537, 136501];
    const ADDED = { 'china-telecom': [134421], 'china-mobile': [...HKBN, 270215] };

    /** Version 3 as stored: the HKBN group of its own (off), the carrier groups without the additions. */
    function storedV3(
      hkbnExtra: { asns?: unknown[]; prefixes?: string[]; enabled?: boolean } = {},
    ) {
      const settings = JSON.parse(JSON.stringify(defaultSettings())) as ReturnType<
        typeof defaultSettings
      >;
      const groups = settings.watchlist.groups;
      for (const g of groups) {
        const added: number[] = ADDED[g.id as keyof typeof ADDED] ?? [];
        g.asns = g.asns.filter((a) => !added.includes(a.asn));
      }
      // The user's own edits, which the migration must keep.
      groups[0]!.asns = groups[0]!.asns.filter((a) => a.asn !== 4134);
      groups[2]!.enabled = false;
      const hkbn = {
        id: 'hkbn',
        name: 'HKBN (China Mobile minority stake)',
        code: 'HK',
        enabled: hkbnExtra.enabled ?? false,
        builtin: true,
        asns: [...HKBN.map((asn) => ({ asn, confidence: 'low' })), ...(hkbnExtra.asns ?? [])],
        prefixes: hkbnExtra.prefixes ?? [],
      };
      groups.splice(3, 0, hkbn as (typeof groups)[number]);
      return { ...settings, version: 3 };
    }

    it('drops the HKBN group and puts its six ASNs, with their new notes, in China Mobile', () => {
      const migrated = migrateSettings(storedV3());
      expect(migrated.problem).toBeUndefined();
      expect(migrated.changed).toBe(true);
      const { groups } = migrated.settings.watchlist;
      expect(groups.map((g) => g.id)).toEqual([
        'china-telecom',
        'china-mobile',
        'china-unicom',
        'pccw',
      ]);
      const mobile = groups[1]!.asns;
      for (const asn of HKBN) {
        expect(mobile.find((a) => a.asn === asn)?.note, `AS${asn}`).toMatch(
          /China Mobile Hong Kong/,
        );
      }
      expect(mobile.map((a) => a.asn)).toContain(270215);
      expect(groups[0]!.asns.map((a) => a.asn)).toContain(134421);
    });

    it("keeps the user's edits: a removed ASN stays removed, a disabled group stays off", () => {
      const { groups } = migrateSettings(storedV3()).settings.watchlist;
      expect(groups[0]!.asns.map((a) => a.asn)).not.toContain(4134);
      expect(groups[2]!.enabled).toBe(false);
      expect(new Set(groups[1]!.asns.map((a) => a.asn)).size).toBe(groups[1]!.asns.length);
    });

    it("keeps what the user added to the HKBN group as a group of the user's own", () => {
      const migrated = migrateSettings(
        storedV3({ asns: [{ asn: 131072 }], prefixes: ['1.2.3.0/24'], enabled: true }),
      );
      expect(migrated.problem).toBeUndefined();
      const own = migrated.settings.watchlist.groups.find((g) => g.id === 'hkbn');
      expect(own).toMatchObject({
        builtin: false,
        enabled: true,
        code: 'HK',
        asns: [{ asn: 131072 }],
        prefixes: ['1.2.3.0/24'],
      });
    });

    it('leaves version 4 settings as they are', () => {
      const migrated = migrateSettings(JSON.parse(JSON.stringify(defaultSettings())));
      expect(migrated.changed).toBe(false);
      expect(migrated.settings).toEqual(defaultSettings());
    });
  });

  it('refuses a routing data URL that is not https, in words', () => {
    const result = validateSettings({
      ...defaultSettings(),
      dataUpdate: { automatic: false, sources: ['https://ok.example/', 'http://data.example/'] },
    });
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringContaining(
        'routing data sources: address 2: the address must start with https://',
      ),
    });
    expect(
      validateSettings({
        ...defaultSettings(),
        dataUpdate: { automatic: 'yes', sources: ['https://d.example/'] },
      }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('automatic must be true or false'),
    });
  });

  it('keeps the third-party count switched off once the user turned it off', () => {
    const stored = { ...defaultSettings(), countThirdPartyHosts: false };
    const migrated = migrateSettings(JSON.parse(JSON.stringify(stored)));
    expect(migrated.changed).toBe(false);
    expect(migrated.settings.countThirdPartyHosts).toBe(false);
  });

  it('reports unreadable stored settings instead of silently overwriting them', () => {
    const migrated = migrateSettings({ version: 99 });
    expect(migrated.changed).toBe(false);
    expect(migrated.problem).toMatch(/unsupported settings version 99/);
  });

  it.each([
    [{ resolver: { kind: 'custom', url: 'http://dns.example/dns-query' } }, /resolver/],
    [{ resolver: { kind: 'preset', id: 'nope' } }, /unknown preset/],
    [{ privacyMode: 'yes' }, /privacyMode/],
    [{ countThirdPartyHosts: 1 }, /countThirdPartyHosts/],
    [{ allowlist: ['exa mple.com'] }, /allowlist entry/],
    [{ watchlist: { groups: 'x' } }, /watchlist/],
  ])('rejects %j with a reason', (change, reason) => {
    const result = validateSettings({ ...defaultSettings(), ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('accepts a custom https resolver and plain http only on loopback', () => {
    const https = validateSettings({
      ...defaultSettings(),
      resolver: { kind: 'custom', url: 'https://dns.example/dns-query' },
    });
    expect(https.ok).toBe(true);
    const loopback = validateSettings({
      ...defaultSettings(),
      resolver: { kind: 'custom', url: 'http://127.0.0.1:8053/dns-query' },
    });
    expect(loopback.ok).toBe(true);
  });

  it('parses allowlist entries from names and bare site URLs', () => {
    expect(parseAllowlistEntry(' Example.COM ')).toEqual({ ok: true, hostname: 'example.com' });
    expect(parseAllowlistEntry('EXAMPLE.com.')).toEqual({ ok: true, hostname: 'example.com' });
    for (const url of ['https://www.example.com', 'http://www.example.com/']) {
      expect(parseAllowlistEntry(url)).toEqual({ ok: true, hostname: 'www.example.com' });
    }
    expect(parseAllowlistEntry('').ok).toBe(false);
    expect(parseAllowlistEntry('a b').ok).toBe(false);
  });

  it('stores an internationalised name as its punycode', () => {
    expect(parseAllowlistEntry('bücher.example')).toEqual({
      ok: true,
      hostname: 'xn--bcher-kva.example',
    });
    expect(parseAllowlistEntry('BÜCHER.example')).toEqual({
      ok: true,
      hostname: 'xn--bcher-kva.example',
    });
    expect(parseAllowlistEntry('xn--bcher-kva.example')).toEqual({
      ok: true,
      hostname: 'xn--bcher-kva.example',
    });
  });

  it.each([
    ['not a host!', 'not-a-hostname'],
    ['a!b.com', 'not-a-hostname'],
    ['not%20a%20host!', 'not-a-hostname'],
    ['-foo.com', 'not-a-hostname'],
    ['ftp://example.com', 'not-a-hostname'],
    ['user@example.com', 'not-a-hostname'],
    ['https://a.com/path', 'has-path'],
    ['a.com/path', 'has-path'],
    ['https://www.example.com/path?q=1', 'has-path'],
    ['example.com?q=1', 'has-path'],
    ['example.com#top', 'has-path'],
    ['example.com:8080', 'has-port'],
    ['1.2.3.4', 'ip-address'],
    ['1.2.3', 'ip-address'],
    ['0x7f.1', 'ip-address'],
    ['http://10.0.0.1/', 'ip-address'],
    ['[::1]', 'ip-address'],
    ['2001:db8::1', 'ip-address'],
    ['localhost', 'localhost'],
    ['app.localhost', 'localhost'],
    ['printer.local', 'local-name'],
    ['nas.home.arpa', 'local-name'],
    ['com', 'top-level'],
    ['co.uk', 'public-suffix'],
  ] as const)('refuses %j (%s) with a reason, storing nothing', (text, refusal) => {
    const parsed = parseAllowlistEntry(text);
    expect(parsed).toMatchObject({ ok: false, refusal });
    if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(10);
  });

  it('allowlists subdomains of an entry but not lookalike suffixes', () => {
    expect(isAllowlisted('example.com', ['example.com'])).toBe(true);
    expect(isAllowlisted('www.example.com.', ['example.com'])).toBe(true);
    expect(isAllowlisted('badexample.com', ['example.com'])).toBe(false);
  });
});

describe('allowlist limits', () => {
  it.each([
    ['com', /whole top-level domain/],
    ['CN', /whole top-level domain/],
    ['https://co.uk/', /public suffix shared by many unrelated sites/],
    ['com.cn', /public suffix/],
    ['github.io', /public suffix/],
  ])('refuses a bare public suffix typed as %j', (text, why) => {
    const parsed = parseAllowlistEntry(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(why);
  });

  it('accepts sites under those suffixes', () => {
    for (const site of ['example.com', 'bbc.co.uk', 'me.github.io']) {
      expect(parseAllowlistEntry(site).ok).toBe(true);
    }
  });

  it(`refuses more than ${MAX_ALLOWLIST_ENTRIES} entries and keeps duplicates out`, () => {
    const many = Array.from({ length: MAX_ALLOWLIST_ENTRIES }, (_, i) => `site${i}.example`);
    const full = validateSettings({ ...defaultSettings(), allowlist: [...many, many[0]] });
    expect(full).toEqual({
      ok: false,
      reason: `the allowlist has more than ${MAX_ALLOWLIST_ENTRIES} entries`,
    });
    const deduped = validateSettings({
      ...defaultSettings(),
      allowlist: ['a.example', 'A.example'],
    });
    expect(deduped.ok && deduped.settings.allowlist).toEqual(['a.example']);
  });

  it('validates the largest allowlist without pairwise checks', () => {
    const many = Array.from({ length: MAX_ALLOWLIST_ENTRIES }, (_, i) => `site${i}.example`);
    const scans = (allowlist: string[]) => {
      let scanned = 0;
      const original = Array.prototype.includes;
      const spy = vi.spyOn(Array.prototype, 'includes').mockImplementation(function (
        this: unknown[],
        ...args: [unknown, number?]
      ) {
        scanned += this.length;
        return original.apply(this, args);
      });
      validateSettings({ ...defaultSettings(), allowlist });
      spy.mockRestore();
      return scanned;
    };
    // Pairwise duplicate checks would walk ~500,000 entries here.
    expect(scans(many) - scans([])).toBeLessThan(MAX_ALLOWLIST_ENTRIES);
  });

  it('checks a hostname by its labels, not by a pass over the allowlist', () => {
    const many = Array.from({ length: MAX_ALLOWLIST_ENTRIES }, (_, i) => `site${i}.example`);
    let reads = 0;
    const counted = new Proxy(many, {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(isAllowlisted('warm.up', counted)).toBe(false);
    reads = 0;
    expect(isAllowlisted('a.b.site999.example', counted)).toBe(true);
    expect(isAllowlisted('site5.example.', counted)).toBe(true);
    expect(isAllowlisted('xsite5.example', counted)).toBe(false);
    expect(isAllowlisted('example', counted)).toBe(false);
    expect(reads).toBe(0);
  });
});

describe('allowlistWithout ("Remove from allowlist")', () => {
  it('takes out the entries that cover the site, its own name and parent domains, and keeps the rest', () => {
    expect(
      allowlistWithout('www.example.com', [
        'example.org',
        'example.com',
        'www.example.com',
        'x.com',
      ]),
    ).toEqual({ kept: ['example.org', 'x.com'], removed: ['example.com', 'www.example.com'] });
    expect(allowlistWithout('badexample.com', ['example.com'])).toEqual({
      kept: ['example.com'],
      removed: [],
    });
  });
});

describe('version 5: acting on a flag and the local history', () => {
  it('migrates version 4 with the action off, hosts not blocked, the history on with its defaults', () => {
    const { onFlagged: _a, blockFlaggedHosts: _b, history: _h, ...rest } = defaultSettings();
    void [_a, _b, _h];
    const migrated = migrateSettings(
      JSON.parse(JSON.stringify({ ...rest, version: 4, privacyMode: true })),
    );
    expect(migrated.problem).toBeUndefined();
    expect(migrated.changed).toBe(true);
    expect(migrated.settings).toMatchObject({
      version: 5,
      privacyMode: true,
      onFlagged: 'nothing',
      blockFlaggedHosts: false,
      history: { enabled: true, inPrivacyMode: false, maxEntries: 1000, maxAgeDays: 90 },
    });
  });

  it.each([
    [{ onFlagged: 'redirect' }, /onFlagged must be one of nothing, warn, block/],
    [{ blockFlaggedHosts: 'yes' }, /blockFlaggedHosts must be true or false/],
    [{ history: null }, /history: must be an object/],
    [{ history: { ...defaultSettings().history, maxEntries: 9 } }, /maxEntries .* 10 to 10000/],
    [{ history: { ...defaultSettings().history, maxEntries: 10_001 } }, /maxEntries/],
    [{ history: { ...defaultSettings().history, maxAgeDays: 0.5 } }, /maxAgeDays .* 1 to 3650/],
    [{ history: { ...defaultSettings().history, inPrivacyMode: 1 } }, /inPrivacyMode/],
  ])('refuses %j with a reason', (change, reason) => {
    const result = validateSettings({ ...defaultSettings(), ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('accepts the limits themselves', () => {
    for (const [maxEntries, maxAgeDays] of [
      [10, 1],
      [10_000, 3650],
    ]) {
      const history = { ...defaultSettings().history, maxEntries, maxAgeDays };
      expect(validateSettings({ ...defaultSettings(), history, onFlagged: 'block' }).ok).toBe(true);
    }
  });
});
