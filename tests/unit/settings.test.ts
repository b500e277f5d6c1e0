import { describe, expect, it } from 'vitest';
import {
  defaultSettings,
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

  it('migrates version 1 settings to version 2 with the third-party count on, keeping the rest', () => {
    const { countThirdPartyHosts: _dropped, ...rest } = {
      ...defaultSettings(),
      privacyMode: true,
      allowlist: ['example.com'],
    };
    void _dropped;
    const migrated = migrateSettings(JSON.parse(JSON.stringify({ ...rest, version: 1 })));
    expect(migrated.problem).toBeUndefined();
    expect(migrated.changed).toBe(true);
    expect(migrated.settings).toMatchObject({
      version: 2,
      countThirdPartyHosts: true,
      privacyMode: true,
      allowlist: ['example.com'],
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

  it('parses allowlist entries from names and URLs', () => {
    expect(parseAllowlistEntry(' Example.COM ')).toEqual({ ok: true, hostname: 'example.com' });
    expect(parseAllowlistEntry('https://www.example.com/path?q=1')).toEqual({
      ok: true,
      hostname: 'www.example.com',
    });
    expect(parseAllowlistEntry('').ok).toBe(false);
    expect(parseAllowlistEntry('a b').ok).toBe(false);
  });

  it('allowlists subdomains of an entry but not lookalike suffixes', () => {
    expect(isAllowlisted('example.com', ['example.com'])).toBe(true);
    expect(isAllowlisted('www.example.com.', ['example.com'])).toBe(true);
    expect(isAllowlisted('badexample.com', ['example.com'])).toBe(false);
  });
});
