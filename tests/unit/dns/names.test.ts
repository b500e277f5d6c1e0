import { describe, expect, it } from 'vitest';
import { checkQueryableName, validateResolverUrl } from '../../../lib/dns/names';

describe('checkQueryableName', () => {
  it('normalises case and one trailing dot', () => {
    expect(checkQueryableName('WWW.Example.COM.')).toEqual({ ok: true, name: 'www.example.com' });
    expect(checkQueryableName('xn--bcher-kva.example')).toEqual({
      ok: true,
      name: 'xn--bcher-kva.example',
    });
    expect(checkQueryableName('site.carrier.test').ok).toBe(true);
    expect(checkQueryableName('_dmarc.example.com').ok).toBe(true);
    expect(checkQueryableName('www.example.com..').ok).toBe(false);
  });

  it('refuses IP literals in all the forms a URL parser accepts', () => {
    for (const literal of [
      '192.0.2.1',
      '127.0.0.1',
      '0x7f000001',
      '2130706433',
      '[::1]',
      '::1',
      '2001:db8::1',
      '[2001:db8::1]',
    ]) {
      const result = checkQueryableName(literal);
      expect(result.ok, literal).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/IPv[46] address/);
    }
  });

  it('refuses single labels and private-use names, but not .test or .example', () => {
    const refused = [
      'intranet',
      'localhost',
      'LOCALHOST.',
      'app.localhost',
      'printer.local',
      'db.internal',
      'nas.home.arpa',
      'home.arpa',
      'duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion',
      'router.lan',
      'mail.corp',
      'wiki.intranet',
      'hr.private',
      'tv.home',
      'x.invalid',
    ];
    for (const name of refused) expect(checkQueryableName(name).ok, name).toBe(false);
    for (const name of ['a.test', 'example.com', 'www.example', 'local.example.com', 'corp.com']) {
      expect(checkQueryableName(name).ok, name).toBe(true);
    }
  });

  it('refuses bad characters and lengths with a reason', () => {
    for (const bad of [
      '',
      '.',
      'a..b.com',
      'ex ample.com',
      'bücher.de',
      'a/b.com',
      `${'a'.repeat(64)}.com`,
      `${'abcdefghi.'.repeat(25)}com1`,
    ]) {
      const result = checkQueryableName(bad);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(10);
    }
    expect(checkQueryableName(`${'a'.repeat(63)}.com`).ok).toBe(true);
  });
});

describe('validateResolverUrl', () => {
  it('accepts https URLs and keeps their path and query', () => {
    expect(validateResolverUrl('https://dns.nextdns.io/abc123')).toEqual({
      ok: true,
      url: 'https://dns.nextdns.io/abc123',
    });
    expect(validateResolverUrl(' https://doh.example/q?profile=x%20y ')).toEqual({
      ok: true,
      url: 'https://doh.example/q?profile=x%20y',
    });
  });

  it('allows plain http only on loopback', () => {
    for (const url of [
      'http://127.0.0.1:8053/dns-query',
      'http://127.1.2.3/',
      'http://[::1]:53/q',
      'http://localhost:1/',
    ]) {
      expect(validateResolverUrl(url).ok, url).toBe(true);
    }
    for (const url of [
      'http://dns.google/dns-query',
      'http://10.0.0.1/',
      'http://127.0.0.1.evil.com/',
    ]) {
      expect(validateResolverUrl(url).ok, url).toBe(false);
    }
  });

  it('refuses other schemes, credentials, fragments, a dns parameter and garbage', () => {
    for (const url of [
      'ftp://dns.example/',
      'javascript:alert(1)',
      'https://user:pw@dns.example/dns-query',
      'https://user@dns.example/dns-query',
      'https://dns.example/dns-query#x',
      'https://dns.example/dns-query#',
      'https://dns.example/dns-query?dns=AAAA',
      'not a url',
      '',
    ]) {
      const result = validateResolverUrl(url);
      expect(result.ok, url).toBe(false);
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(10);
    }
  });
});
